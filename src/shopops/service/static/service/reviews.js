// Charts of the reviews pages: each [data-chart] element names a json_script holding {x, series}.
(function () {
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var kind = el.getAttribute("data-kind") || "line";
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 48, right: 16, top: 48, bottom: 32},
      xAxis: {type: "category", data: data.x},
      yAxis: {type: "value", scale: kind === "line"},
      series: data.series.map(function (s) {
        return {name: s.name, type: kind, stack: kind === "bar" ? "all" : undefined, data: s.data,
                lineStyle: s.dashed ? {type: "dashed"} : undefined, showSymbol: false};
      })
    });
    el.setAttribute("data-ready", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
