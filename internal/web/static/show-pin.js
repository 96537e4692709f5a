// Show-PIN toggle. Without this script the toggle stays hidden and the PIN
// fields stay type=password, so nothing depends on it.
"use strict";
document.querySelectorAll("input[data-show-pin]").forEach(function (box) {
  var fields = box.getAttribute("aria-controls").split(" ").map(function (id) {
    return document.getElementById(id);
  }).filter(Boolean);
  function show(on) {
    fields.forEach(function (f) { f.type = on ? "text" : "password"; });
  }
  box.closest(".show-pin").hidden = false;
  box.addEventListener("change", function () { show(box.checked); });
  if (box.form) {
    // Reset clears the fields and unticks the box; hide the PIN again too.
    box.form.addEventListener("reset", function () { show(false); });
    // Browsers only offer to save a password typed in a password field.
    box.form.addEventListener("submit", function () { show(false); });
  }
});
