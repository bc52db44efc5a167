/* shopops — number formats and HTML escaping for the chart scripts (charts.js: the cockpit trend;
 * analysis.js: the analysis, customer, campaign and outreach charts), as window.shopopsFormat.
 * Loaded on every page before them (web/base.html). */
(function () {
  "use strict";

  var zh = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
  var SYMBOLS = { CNY: "¥", HKD: "HK$", TWD: "NT$", USD: "US$", EUR: "€", GBP: "£", JPY: "JP¥" };
  var grouped = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  // axis ticks under 1,000 keep what tells them apart: an all-0 money series ticks 0, 0.2, 0.4 … (not 0, 0, 0, 1, 1, 1)
  var tick = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

  // Tooltips are HTML: every label (categories come from data, e.g. collected product ids) is escaped.
  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fixed(value, digits) { return value.toFixed(digits).replace(/\.0$/, ""); }

  // 1.2万 / 3亿 in Chinese, 12k / 3M in English
  function compact(value) {
    var abs = Math.abs(value);
    if (zh) {
      if (abs >= 1e8) return fixed(value / 1e8, abs >= 1e9 ? 0 : 1) + "亿";
      if (abs >= 1e4) return fixed(value / 1e4, abs >= 1e5 ? 0 : 1) + "万";
    } else {
      if (abs >= 1e6) return fixed(value / 1e6, abs >= 1e7 ? 0 : 1) + "M";
      if (abs >= 1e3) return fixed(value / 1e3, abs >= 1e4 ? 0 : 1) + "k";
    }
    return tick.format(value);
  }

  // a value in a tooltip: money with its currency symbol and cents, percentages with 2 decimals
  function formatter(unit, currency) {
    var symbol = currency ? (SYMBOLS[currency] || currency + " ") : "";
    if (unit === "money") return function (v) { return symbol + grouped.format(v); };
    if (unit === "percent") return function (v) { return (v * 100).toFixed(2) + "%"; };
    if (unit === "ratio") return function (v) { return v.toFixed(2); };
    return function (v) { return whole.format(v); };
  }

  function axisFormatter(unit) {
    // small percentages keep their decimals (0.25%, not 0%); trailing zeros go
    if (unit === "percent") return function (v) { return parseFloat((v * 100).toFixed(2)) + "%"; };
    if (unit === "ratio") return function (v) { return v.toFixed(1); };
    return compact;
  }

  window.shopopsFormat = { zh: zh, esc: esc, compact: compact, formatter: formatter, axisFormatter: axisFormatter };
})();
