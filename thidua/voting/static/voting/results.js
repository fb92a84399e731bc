// Bar chart of the votes per candidate; the data comes from the page (json_script).
(function () {
  var data = JSON.parse(document.getElementById("result-data").textContent);
  var canvas = document.getElementById("result-chart");
  if (!canvas || typeof Chart === "undefined") return;
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ data: data.votes }] },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
})();
