// The self-assessment form: the total adds up while the officer types, and a criterion given
// points other than 0 without an explanation is marked before the form is sent.
(function () {
  const form = document.getElementById("scores");
  const total = document.getElementById("running-total");
  if (!form || !total) return;
  const missing = form.dataset.missing || "";

  // "12,5" and "12.5" alike; an empty or unreadable box counts as nothing.
  function read(text) {
    const value = Number(String(text).trim().replace(/\s/g, "").replace(",", "."));
    return Number.isFinite(value) ? value : 0;
  }

  function show(value) {
    return value.toLocaleString("vi-VN", { maximumFractionDigits: 2 });
  }

  function update() {
    let sum = 0;
    form.querySelectorAll("tr[data-number]").forEach(function (row) {
      const points = row.querySelector("input.points");
      const explanation = row.querySelector("textarea.explanation");
      if (!points) return;
      const value = read(points.value);
      sum += value;
      if (explanation) {
        const unexplained = value !== 0 && explanation.value.trim() === "";
        explanation.setAttribute("aria-invalid", unexplained ? "true" : "false");
        explanation.title = unexplained ? missing : "";
      }
    });
    total.textContent = show(sum);
  }

  form.addEventListener("input", update);
  update();
})();
