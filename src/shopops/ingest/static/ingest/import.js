/* Import pages: drag-and-drop upload, target switch, field -> default type. Progressive enhancement:
   every form also works without this script. */
(function () {
  "use strict";

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function initDropzone(form) {
    var zone = form.querySelector("[data-dropzone]");
    var input = form.querySelector("[data-file-input]");
    var list = form.querySelector("[data-file-list]");
    if (!zone || !input) return;

    function showFiles() {
      if (!list) return;
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("span");
        item.className = "dropzone-file";
        item.textContent = file.name + " · " + formatSize(file.size);
        list.appendChild(item);
      });
      zone.classList.toggle("has-files", input.files.length > 0);
    }

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-over");
      });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-over");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      showFiles();
    });
    input.addEventListener("change", showFiles);
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-upload-submit]");
      if (button) { button.disabled = true; button.classList.add("is-busy"); }
    });
    showFiles();
  }

  // Mapping: picking a field sets its default type and whether it is required; no field = ignore.
  function initMappingForm(form) {
    var source = document.getElementById("mapping-field-types");
    if (!source) return;
    var types = JSON.parse(source.textContent);
    form.querySelectorAll("select[name$='_to']").forEach(function (select) {
      select.addEventListener("change", function () {
        var prefix = select.name.slice(0, -3);
        var type = form.querySelector("select[name='" + prefix + "_type']");
        var required = form.querySelector("input[name='" + prefix + "_required']");
        var spec = types[select.value];
        if (type) type.value = spec ? spec.type : "ignore";
        if (required) required.checked = !!(spec && spec.required);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-upload-form]").forEach(initDropzone);
    document.querySelectorAll("[data-mapping-form]").forEach(initMappingForm);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        var form = select.form;
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  });
})();
