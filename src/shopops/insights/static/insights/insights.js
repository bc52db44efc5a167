/* insights: the expected-band chart and the GMV waterfall of a finding (ECharts; the table view
 * has the same numbers and is shown when ECharts is missing). */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function fallback(panel) {
    if (!panel) return;
    var toggle = panel.querySelector(".view-toggle");
    if (toggle) toggle.hidden = true;
    if (panel.shopopsShowView) panel.shopopsShowView("table");
  }

  function mount(holder, option) {
    var panel = holder.closest("[data-view-switch]");
    if (!window.echarts) { fallback(panel); return; }
    if (panel && panel.shopopsShowView) panel.shopopsShowView("chart");
    var chart = window.echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    if (panel) panel.addEventListener("shopops:view", function (ev) { if (ev.detail.view === "chart") chart.resize(); });
  }

  function fmt(unit) {
    if (unit === "percent") return function (v) { return v == null ? "" : (v * 100).toFixed(2) + "%"; };
    if (unit === "money") return function (v) { return v == null ? "" : "¥" + Math.round(v).toLocaleString(); };
    return function (v) { return v == null ? "" : (Math.round(v * 100) / 100).toLocaleString(); };
  }

  function bandChart() {
    var holder = document.getElementById("chart-band");
    var d = data("band-data");
    if (!holder || !d || !d.dates) return;
    var f = fmt(d.unit);
    var lows = d.low.map(function (v) { return v; });
    var widths = d.high.map(function (v, i) { return v == null || d.low[i] == null ? null : v - d.low[i]; });
    var isolated = [];
    d.expected.forEach(function (v, i) {
      if (v != null && d.expected[i - 1] == null && d.expected[i + 1] == null && d.low[i] != null && d.high[i] != null) isolated.push(i);
    });
    var expected = d.expected.map(function (v, i) {
      return isolated.indexOf(i) < 0 ? v : { value: v, symbol: "diamond", symbolSize: 11 };
    });
    mount(holder, {
      animation: false,
      grid: { left: 64, right: 16, top: 30, bottom: 28 },
      tooltip: { trigger: "axis", valueFormatter: f },
      legend: { top: 2, data: [d.label, d.expected_label || "expected"] },
      xAxis: { type: "category", data: d.dates, axisLabel: { formatter: function (x) { return x.slice(5); } } },
      yAxis: { type: "value", axisLabel: { formatter: f } },
      series: [
        { name: "low", type: "line", stack: "band", data: lows, lineStyle: { opacity: 0 }, symbol: "none", tooltip: { show: false } },
        { name: "band", type: "line", stack: "band", data: widths, lineStyle: { opacity: 0 }, symbol: "none",
          areaStyle: { color: "rgba(91,143,249,0.18)" }, tooltip: { show: false } },
        { name: d.expected_label || "expected", type: "line", data: expected, symbol: "none", lineStyle: { type: "dashed", color: "#5b8ff9" },
          itemStyle: { color: "#5b8ff9" },
          // a day whose neighbours have no band (a product signal's own day) cannot draw an area: its range as a bar
          markLine: { symbol: "none", silent: true, label: { show: false }, lineStyle: { color: "rgba(91,143,249,0.55)", width: 8, type: "solid" },
                      data: isolated.map(function (i) { return [{ coord: [i, d.low[i]] }, { coord: [i, d.high[i]] }]; }) } },
        { name: d.label, type: "line", data: d.actual, symbolSize: 6, lineStyle: { width: 2, color: "#f08c2b" },
          itemStyle: { color: "#f08c2b" },
          markPoint: { data: [{ coord: [d.dates.length - 1, d.actual[d.actual.length - 1]], symbol: "circle", symbolSize: 12,
                                itemStyle: { color: "#d64545" } }] } }
      ]
    });
  }

  function waterfall(holder) {
    // each factor's contribution as a signed bar (green up, red down), then the total change
    var d = data(holder.getAttribute("data-waterfall"));
    if (!d || !d.labels) return;
    var total = d.values.reduce(function (a, b) { return a + b; }, 0);
    var labels = d.labels.concat([d.total_label || "GMV"]);
    var values = d.values.concat([total]).map(function (v, i) {
      var last = i === d.values.length;
      return { value: Math.round(v * 100) / 100,
               itemStyle: { color: last ? (v < 0 ? "#8f2d2d" : "#1f6e52") : (v < 0 ? "#d64545" : "#2fa37a") } };
    });
    var f = fmt("money");
    mount(holder, {
      animation: false,
      grid: { left: 72, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: f },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: "value", axisLabel: { formatter: f } },
      series: [{ type: "bar", data: values, barMaxWidth: 48,
                 label: { show: true, position: "top", formatter: function (p) { return f(p.value); }, fontSize: 11 } }]
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bandChart();
    document.querySelectorAll("[data-waterfall]").forEach(waterfall);
  });
})();
