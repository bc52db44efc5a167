// Replenishment: the header checkbox ticks or unticks every line of the supplier shown (only ticked
// lines are posted); it shows "some" when the lines are mixed.
(function () {
  "use strict";
  document.querySelectorAll("[data-replenishment-form] table").forEach(function (table) {
    var all = table.querySelector("[data-select-all]");
    var rows = Array.prototype.slice.call(table.querySelectorAll("[data-row-select]"));
    if (!all || !rows.length) return;
    function sync() {
      var ticked = rows.filter(function (r) { return r.checked; }).length;
      all.checked = ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
    all.addEventListener("change", function () {
      rows.forEach(function (r) { r.checked = all.checked; });
      sync();
    });
    rows.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  });
})();
