/* A file box in the page's language. The browser's own says "Choose File / No file chosen" in
   an English browser, whatever the page's language; each file input gets a button and the
   chosen file's name in the words the page gives this script (data-choose, data-none). The
   input stays in the form, labelled as before and reachable by its label. */
(function () {
  "use strict";
  var script = document.currentScript;
  var words = { choose: script.dataset.choose, none: script.dataset.none };

  function enhance(root) {
    root.querySelectorAll('input[type="file"]:not(.filebox-input)').forEach(function (input) {
      var box = document.createElement("span");
      box.className = "filebox";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary outline";
      button.textContent = words.choose;
      var name = document.createElement("span");
      name.className = "filebox-name";
      name.setAttribute("aria-live", "polite");
      name.textContent = words.none;
      button.addEventListener("click", function () { input.click(); });
      input.addEventListener("change", function () {
        var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
        name.textContent = names.length ? names.join(", ") : words.none;
      });
      input.classList.add("filebox-input");
      input.tabIndex = -1; // the button takes the focus instead
      input.parentNode.insertBefore(box, input.nextSibling);
      box.appendChild(button);
      box.appendChild(name);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
