// One bar chart per indicator comparing the members; data from json_script "indicator-charts".
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("indicator-charts");
    if (!source || typeof Chart === "undefined") { return; }
    var number = new Intl.NumberFormat(document.documentElement.lang === "vi" ? "vi-VN" : "en");
    JSON.parse(source.textContent).forEach(function (chart) {
      var canvas = document.getElementById("chart-" + chart.code);
      if (!canvas) { return; }
      new Chart(canvas, {
        type: "bar",
        data: { labels: chart.labels, datasets: [{ label: chart.label, data: chart.values }] },
        options: {
          responsive: true,
          plugins: { legend: { display: false } },
          scales: { y: { ticks: { callback: function (v) { return number.format(v); } } } }
        }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
