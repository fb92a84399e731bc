// Draws the ranking bar chart from the data the page embeds with json_script.
(function () {
  const source = document.getElementById("ranking-data");
  const canvas = document.getElementById("ranking-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.totals }] },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, suggestedMax: data.max } },
    },
  });
})();
