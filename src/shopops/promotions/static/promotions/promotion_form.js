// Promotion editor: show only the parameter fields the chosen type uses.
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("[data-promotion-form]");
    var data = document.getElementById("promotion-kind-fields");
    if (!form || !data) return;
    var kindFields = JSON.parse(data.textContent);
    var kind = form.querySelector("select[name=kind]");
    function update() {
      var wanted = kindFields[kind.value] || [];
      form.querySelectorAll("[data-param]").forEach(function (el) {
        el.hidden = wanted.indexOf(el.getAttribute("data-param")) < 0;
      });
    }
    kind.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
