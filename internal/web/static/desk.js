// The staff desk, built for a barcode scanner, which types the barcode and
// presses Enter. The pages work without this script: the scan field has
// autofocus and Enter submits. The script only keeps focus in the field
// and stops a form being sent twice while its answer loads.
"use strict";
(function () {
  var scan = document.querySelector("input[data-scan]");
  if (scan) {
    // Autofocus lands when the browser gets round to it; a scan can come
    // sooner. Take focus now unless the page already gave it to a field.
    if (!document.activeElement || document.activeElement === document.body) scan.focus();
    // A key typed while focus is elsewhere on the page (not in another
    // field) goes to the scan field: the scanner's first digit is not lost.
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      if (t === scan || e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1) return;
      if (t.closest && t.closest("input, textarea, select, button, a, [contenteditable]")) return;
      scan.focus();
    });
    // A page restored by Back keeps its old focus: put it in the field.
    window.addEventListener("pageshow", function (e) {
      if (e.persisted) scan.focus();
    });
  }
  // Each form is sent once: a second Enter or click while the answer loads
  // does nothing. (The server's request tokens make a repeat harmless too.)
  document.querySelectorAll("form[method=post]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (f.dataset.sent) { e.preventDefault(); return; }
      f.dataset.sent = "1";
    });
  });
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (f) { delete f.dataset.sent; });
  });
  // The PIN slip's Print button.
  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
