// Screen-only helpers: filter requirements by status, collapse the details.
// The report is complete without this script; print shows every requirement in full.
(function () {
  "use strict";
  var select = document.getElementById("filter-status");
  var toggle = document.getElementById("toggle-details");
  var shown = document.getElementById("shown");
  var sections = document.querySelectorAll("section.requirement");
  var rows = document.querySelectorAll("#overview tbody tr");
  function apply() {
    var wanted = select.value;
    var count = 0;
    sections.forEach(function (section) {
      var visible = !wanted || section.getAttribute("data-status") === wanted;
      section.hidden = !visible;
      if (visible) { count += 1; }
    });
    rows.forEach(function (row) {
      row.hidden = !!wanted && row.getAttribute("data-status") !== wanted;
    });
    shown.setAttribute("data-shown", String(count));
    shown.textContent = count + " of " + sections.length + " requirements";
  }
  select.addEventListener("change", apply);
  toggle.addEventListener("click", function () {
    var compact = document.body.classList.toggle("compact");
    toggle.textContent = compact ? "Expand details" : "Collapse details";
  });
})();
