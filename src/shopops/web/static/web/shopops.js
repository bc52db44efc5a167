/* shopops — small behaviours shared by every page. No framework; progressive enhancement only. */
(function () {
  "use strict";

  // Period filter: the date inputs are for a custom range; for a preset they show its dates, read-only.
  function initPeriodFilters(form) {
    var select = form.querySelector("[data-period-select]");
    var range = form.querySelector("[data-custom-range]");
    if (!select || !range) return;
    var inputs = range.querySelectorAll("input");
    function sync() {
      var custom = select.value === "custom";
      inputs.forEach(function (input) { input.disabled = !custom; });
    }
    select.addEventListener("change", function () {
      sync();
      if (select.value !== "custom") form.requestSubmit ? form.requestSubmit() : form.submit();
    });
    sync();
  }

  // Close an open dropdown (<details class="dropdown">) on Escape or a click elsewhere.
  function initDropdowns() {
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.dropdown[open], details.kpi-def[open]").forEach(function (details) {
        if (!details.contains(event.target)) details.open = false;
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      document.querySelectorAll("details.dropdown[open], details.kpi-def[open]").forEach(function (details) {
        details.open = false;
      });
    });
  }

  // Chart / table switch of a panel: [data-view-switch] holds buttons [data-view] and panes [data-view-pane].
  function initViewSwitch(panel) {
    var buttons = panel.querySelectorAll("[data-view]");
    function show(view) {
      panel.querySelectorAll("[data-view-pane]").forEach(function (pane) {
        pane.hidden = pane.getAttribute("data-view-pane") !== view;
      });
      buttons.forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-view") === view));
      });
      panel.setAttribute("data-current-view", view);
      panel.dispatchEvent(new CustomEvent("shopops:view", { detail: { view: view } }));
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () { show(button.getAttribute("data-view")); });
    });
    panel.shopopsShowView = show;
  }

  // Phone width: the sidebar is a drawer opened by the topbar's menu button (Esc or the backdrop close it).
  function initNavToggle() {
    var button = document.querySelector("[data-nav-toggle]");
    var sidebar = document.querySelector("[data-sidebar]");
    var backdrop = document.querySelector("[data-nav-backdrop]");
    if (!button || !sidebar) return;
    function set(open) {
      document.body.classList.toggle("nav-open", open);
      button.setAttribute("aria-expanded", String(open));
      if (backdrop) backdrop.hidden = !open;
    }
    button.addEventListener("click", function () { set(!document.body.classList.contains("nav-open")); });
    if (backdrop) backdrop.addEventListener("click", function () { set(false); });
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") set(false); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initNavToggle();
    document.querySelectorAll("[data-period-filters]").forEach(initPeriodFilters);
    document.querySelectorAll("[data-view-switch]").forEach(initViewSwitch);
    initDropdowns();
  });
})();
