// Dashboard charts (Apache ECharts, vendored) and the bulletin's print button. No inline script (CSP).
(function () {
  "use strict";

  document.querySelectorAll("[data-chart=daily]").forEach(function (element) {
    if (!window.echarts) return;
    var rows = JSON.parse(document.getElementById(element.dataset.source).textContent);
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [element.dataset.intake, element.dataset.closed] },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: rows.map(function (row) { return row.date; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: element.dataset.intake, type: "line", symbolSize: 8, showAllSymbol: true, cursor: "pointer",
          data: rows.map(function (row) { return row.intake; }) },
        { name: element.dataset.closed, type: "line", symbolSize: 8, showAllSymbol: true, cursor: "pointer",
          data: rows.map(function (row) { return row.closed; }) }
      ]
    });
    // A point opens the cases it counts (the same lists as the table's links below the chart).
    chart.on("click", function (point) {
      var row = rows[point.dataIndex];
      if (!row) return;
      window.location.href = point.seriesIndex === 0 ? row.intake_url : row.closed_url;
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
