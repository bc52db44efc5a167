/* shopops — analysis pages: one ECharts chart per [data-chart] panel, from the json_script
 * element "chart-data-<id>". Categories are the first column of the panel's table; a click on
 * a bar or point follows the row's drill-down link (the same page filtered to that day,
 * source, tool or store, or the product page). Money arrives as strings (Decimals) and is
 * converted for plotting only; the table view shows the exact server-formatted numbers.
 * Without ECharts the table view is shown. Also shades the cohort heatmap cells. */
(function () {
  "use strict";

  var PALETTE = ["#5b8ff9", "#f08c2b", "#2fa37a", "#9270ca", "#e8684a", "#6dc8ec"];
  var F = window.shopopsFormat;  // web/format.js
  var zh = F.zh, esc = F.esc, formatter = F.formatter, axisFormatter = F.axisFormatter;

  // every category label while each has about 44 px; on a narrow screen ECharts thins them out
  // ("auto" measures the labels, rotated or not) so they never print over each other
  function labelInterval(data, width) {
    return data.kind === "day" || width / Math.max(1, data.categories.length) < 44 ? "auto" : 0;
  }

  // an unrotated category label is cut (with …, measured by ECharts, CJK or not) to the width of
  // its own column, so neighbours never print over each other; the tooltip shows it whole
  function labelWidth(data, width) {
    return Math.max(36, Math.floor((width - 76) / Math.max(1, data.categories.length)) - 6);
  }

  function option(data, width) {
    var formats = data.series.map(function (s) { return formatter(s.unit, data.currency); });
    var axes = [];
    data.series.forEach(function (s) { if (axes.indexOf(s.axis) < 0) axes.push(s.axis); });
    axes.sort();
    var unitOfAxis = {};
    data.series.forEach(function (s) { if (!(s.axis in unitOfAxis)) unitOfAxis[s.axis] = s.unit; });
    var days = data.kind === "day";
    return {
      color: PALETTE,
      animation: false,
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
      grid: { left: 60, right: axes.length > 1 ? 60 : 16, top: 36, bottom: days ? 28 : 48, containLabel: false },
      legend: { top: 4, left: "center", itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 12 } },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (params) {
          var lines = [esc(params[0].axisValue)];
          params.forEach(function (p) {
            var v = p.value === null || p.value === undefined || isNaN(p.value) ? "—" : formats[p.seriesIndex](p.value);
            lines.push(p.marker + " " + esc(p.seriesName) + ": <b>" + esc(v) + "</b>");
          });
          if (data.drill && data.drill[params[0].dataIndex]) lines.push('<span style="color:#687386">' + (zh ? "点击查看明细" : "Click to drill down") + "</span>");
          return lines.join("<br>");
        }
      },
      xAxis: {
        type: "category",
        data: data.categories,
        triggerEvent: true,
        axisTick: { alignWithLabel: true },
        axisLabel: {
          fontSize: 11, interval: labelInterval(data, width), rotate: (!days && data.categories.length > 8) ? 30 : 0,
          width: (!days && data.categories.length <= 8) ? labelWidth(data, width) : undefined, overflow: "truncate",
          formatter: function (d) {
            if (days) return d.slice(5);
            var max = data.categories.length > 8 ? 14 : 40;
            return d.length > max ? d.slice(0, max - 1) + "…" : d;
          }
        }
      },
      yAxis: axes.map(function (axis, i) {
        return {
          type: "value",
          position: i === 0 ? "left" : "right",
          minInterval: unitOfAxis[axis] === "count" ? 1 : 0,
          axisLabel: { fontSize: 11, formatter: axisFormatter(unitOfAxis[axis]), color: i > 0 ? PALETTE[data.series.length - 1] : "#687386" },
          splitLine: { show: i === 0, lineStyle: { color: "#eef1f5" } }
        };
      }),
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: s.type,
          yAxisIndex: axes.indexOf(s.axis),
          stack: data.stack && s.type === "bar" ? "total" : undefined,
          data: s.data.map(function (v) { return v === null ? null : Number(v); }),
          barMaxWidth: 28,
          symbol: "circle",
          symbolSize: 7,
          showSymbol: data.categories.length <= 45,
          cursor: data.drill && data.drill.some(Boolean) ? "pointer" : "default",
          lineStyle: { width: 2 }
        };
      })
    };
  }

  function initChart(holder) {
    var id = holder.getAttribute("data-chart");
    var panel = holder.closest("[data-view-switch]");
    var script = document.getElementById("chart-data-" + id);
    if (!panel || !script) return;
    if (!window.echarts) {
      var toggle = panel.querySelector(".view-toggle");
      if (toggle) toggle.hidden = true;
      if (panel.shopopsShowView) panel.shopopsShowView("table");
      return;
    }
    var data = JSON.parse(script.textContent);
    // a series with no value at all (e.g. visitors without traffic data): said above the chart, not drawn
    data.series = data.series.filter(function (s) {
      if (!s.empty) return true;
      var note = document.createElement("p");
      note.className = "chart-empty";
      note.setAttribute("data-empty-series", s.key || "");
      note.textContent = s.empty;
      holder.parentNode.insertBefore(note, holder);
      return false;
    });
    if (!data.series.length) { holder.hidden = true; return; }  // nothing to draw: the words above say why
    if (panel.shopopsShowView) panel.shopopsShowView("chart");
    var chart = window.echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption(option(data, holder.clientWidth));
    function go(index) {
      var url = data.drill && data.drill[index];
      if (url) window.location.assign(url);
    }
    // a click on a bar/point, or anywhere in its column (axis label or empty space above a short bar)
    chart.on("click", function (params) {
      if (params.componentType === "xAxis") go(data.categories.indexOf(params.value));
      else go(params.dataIndex);
    });
    chart.getZr().on("click", function (event) {
      if (event.target) return; // handled above
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", point)) return;
      var index = chart.convertFromPixel({ seriesIndex: 0 }, point)[0];
      if (index >= 0 && index < data.categories.length) go(index);
    });
    holder.setAttribute("data-chart-ready", "true");
    function fit() {
      chart.resize();
      var w = holder.clientWidth;
      chart.setOption({ xAxis: { axisLabel: { interval: labelInterval(data, w),
        width: (data.kind !== "day" && data.categories.length <= 8) ? labelWidth(data, w) : undefined } } });
    }
    window.addEventListener("resize", fit);
    panel.addEventListener("shopops:view", function (event) {
      if (event.detail.view === "chart") fit();
    });
  }

  // cohort heatmap: a cell's shade is its retention rate (the value in data-value)
  function shadeHeatmap(wrap) {
    var cells = wrap.querySelectorAll("td.num[data-col^='m']");
    var max = 0;
    cells.forEach(function (td) { var v = parseFloat(td.getAttribute("data-value")); if (v > max) max = v; });
    cells.forEach(function (td) {
      var raw = td.getAttribute("data-value");
      if (raw === "") { td.classList.add("heat-none"); return; }
      var v = parseFloat(raw);
      var alpha = max > 0 ? 0.08 + 0.82 * (v / max) : 0;
      td.style.background = "rgba(31, 100, 214, " + alpha.toFixed(3) + ")";
      if (alpha > 0.5) td.style.color = "#fff";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(initChart);
    document.querySelectorAll("[data-heatmap]").forEach(shadeHeatmap);
  });
})();
