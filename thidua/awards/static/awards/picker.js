// A search box above each list of people marked data-search: typing a name, a year of birth
// or a unit keeps the matching people (diacritics and case ignored), and picks the only one
// left. The list itself stays the form's field, so the page works without this script.
(function () {
  "use strict";
  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  document.querySelectorAll("select[data-search]").forEach(function (select) {
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "_search";
    input.autocomplete = "off";
    input.setAttribute("data-testid", "picker-search");
    label.htmlFor = input.id;
    label.textContent = select.getAttribute("data-search");
    label.appendChild(input);
    var count = document.createElement("small");
    count.setAttribute("aria-live", "polite");
    count.setAttribute("data-testid", "picker-count");
    label.appendChild(count);
    var field = select.closest("label") || select;
    field.parentNode.insertBefore(label, field);
    var options = Array.prototype.slice.call(select.options).filter(function (o) { return o.value; });
    var keys = options.map(function (o) { return plain(o.textContent); });
    input.addEventListener("input", function () {
      var words = plain(input.value).split(/\s+/).filter(Boolean);
      var shown = [];
      options.forEach(function (option, i) {
        var match = words.every(function (w) { return keys[i].indexOf(w) !== -1; });
        option.hidden = !match;
        option.disabled = !match;
        if (match) { shown.push(option); }
      });
      count.textContent = words.length ? " " + shown.length + " / " + options.length : "";
      if (shown.length === 1) { select.value = shown[0].value; }
      else if (select.selectedOptions.length && select.selectedOptions[0].hidden) { select.value = ""; }
    });
  });
})();
