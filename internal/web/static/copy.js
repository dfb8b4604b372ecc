// Adds a "Copy link" button next to the read-only permalink field. Without
// JavaScript the field still works: select it and copy. No network, no state.
(function () {
  "use strict";
  var input = document.querySelector("input.permalink");
  if (!input || !navigator.clipboard) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "copy-button";
  button.textContent = input.getAttribute("data-copy-label") || "Copy link";
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value).then(function () {
      button.textContent = input.getAttribute("data-copied-label") || "Copied";
    });
  });
  input.addEventListener("focus", function () { input.select(); });
  input.insertAdjacentElement("afterend", button);
})();
