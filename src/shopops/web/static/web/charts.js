/* shopops — ECharts for panels that carry their data in a json_script element.
 * The cockpit trend: #trend-data -> #trend-chart. Values arrive as JSON strings for money
 * (Decimals, never floats in transit) and are converted for plotting only; the table view
 * shows the exact server-formatted numbers. Without ECharts the table view is shown. */
(function () {
  "use strict";

  var F = window.shopopsFormat;  // web/format.js
  var esc = F.esc, formatter = F.formatter, axisFormatter = F.axisFormatter;

  function trendOption(data) {
    var palette = ["#5b8ff9", "#f08c2b", "#2fa37a"];
    var formats = data.series.map(function (s) { return formatter(s.unit, data.currency); });
    var axes = [];
    data.series.forEach(function (s) { if (axes.indexOf(s.axis) < 0) axes.push(s.axis); });
    axes.sort();
    function firstSeriesOn(axis) {
      for (var i = 0; i < data.series.length; i++) if (data.series[i].axis === axis) return i;
      return 0;
    }
    return {
      color: palette,
      animation: false,
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
      grid: { left: 56, right: 8 + 52 * Math.max(1, axes.length - 1), top: 36, bottom: 28 },
      legend: { top: 4, left: "center", itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 12 } },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: null,
        formatter: function (params) {
          var lines = [esc(params[0].axisValue)];
          params.forEach(function (p) {
            lines.push(p.marker + " " + esc(p.seriesName) + ": <b>" + esc(formats[p.seriesIndex](p.value)) + "</b>");
          });
          return lines.join("<br>");
        }
      },
      xAxis: {
        type: "category",
        data: data.dates,
        axisTick: { alignWithLabel: true },
        axisLabel: { fontSize: 11, formatter: function (d) { return d.slice(5); } }
      },
      // axis 0 on the left, the others on the right side by side; each coloured like its first series
      yAxis: axes.map(function (axis) {
        var colour = palette[firstSeriesOn(axis)];
        return {
          type: "value",
          position: axis === 0 ? "left" : "right",
          // counts tick at whole numbers (an all-0 series read 0,0,0,1,1,1 from rounded fractions)
          minInterval: data.series[firstSeriesOn(axis)].unit === "count" ? 1 : 0,
          offset: axis > 1 ? (axis - 1) * 52 : 0,
          axisLine: { show: axis > 0, lineStyle: { color: colour } },
          axisLabel: { fontSize: 11, formatter: axisFormatter(data.series[firstSeriesOn(axis)].unit),
                       color: axis > 0 ? colour : "#687386" },
          splitLine: { show: axis === 0, lineStyle: { color: "#eef1f5" } }
        };
      }),
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: s.type,
          yAxisIndex: axes.indexOf(s.axis),
          data: s.data.map(function (v) { return v === null ? null : Number(v); }),  // unknown: a gap, not 0
          barMaxWidth: 28,
          symbol: "circle",
          symbolSize: 5,
          showSymbol: data.dates.length <= 45,
          smooth: false,
          lineStyle: { width: 2 }
        };
      })
    };
  }

  // A series with no value at all (visitors of a store without traffic data) is left out of the chart and
  // said in words above it (its "empty" text, from the server), not drawn as a flat line at 0.
  function showEmptySeries(data, holder) {
    var kept = data.series.filter(function (s) { return !s.empty; });
    data.series.forEach(function (s) {
      if (!s.empty) return;
      var note = document.createElement("p");
      note.className = "chart-empty";
      note.setAttribute("data-empty-series", s.kpi || s.key || "");
      note.textContent = s.empty;
      holder.parentNode.insertBefore(note, holder);
    });
    data.series = kept;
    return data;
  }

  function initTrend() {
    var panel = document.querySelector("[data-view-switch]");
    var holder = document.getElementById("trend-chart");
    var script = document.getElementById("trend-data");
    if (!panel || !holder || !script) return;
    if (!window.echarts) {
      // no chart library (assets not vendored): the table is the view
      panel.querySelector(".view-toggle").hidden = true;
      if (panel.shopopsShowView) panel.shopopsShowView("table");
      return;
    }
    var data = showEmptySeries(JSON.parse(script.textContent), holder);
    if (!data.series.length) { holder.hidden = true; return; }  // nothing to draw: the words above say why
    if (panel.shopopsShowView) panel.shopopsShowView("chart");
    var chart = window.echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption(trendOption(data));
    window.addEventListener("resize", function () { chart.resize(); });
    panel.addEventListener("shopops:view", function (event) {
      if (event.detail.view === "chart") chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", initTrend);
})();
