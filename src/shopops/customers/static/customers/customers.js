/* shopops — customer pages: shade the RFM heatmap cells by their share of GMV (data-value). */
(function () {
  "use strict";
  function shade(wrap) {
    var cells = wrap.querySelectorAll("td[data-value]");
    var max = 0;
    cells.forEach(function (td) { var v = parseFloat(td.getAttribute("data-value")); if (v > max) max = v; });
    cells.forEach(function (td) {
      var v = parseFloat(td.getAttribute("data-value")) || 0;
      var alpha = max > 0 ? 0.06 + 0.84 * (v / max) : 0;
      td.style.background = "rgba(31, 100, 214, " + alpha.toFixed(3) + ")";
      if (alpha > 0.5) td.style.color = "#fff";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rfm-heat]").forEach(shade);
  });
})();
