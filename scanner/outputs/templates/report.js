/* crmscan HTML report: filter, sort and expand the findings table. No network use. */
(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { return; }
  var bodies = Array.prototype.slice.call(table.querySelectorAll("tbody.finding"));
  var search = document.getElementById("filter-text");
  var severity = document.getElementById("filter-severity");
  var status = document.getElementById("filter-status");
  var check = document.getElementById("filter-check");
  var shown = document.getElementById("shown");
  var rank = { critical: 0, high: 1, medium: 2, low: 3, info: 4,
               FAIL: 0, ERROR: 1, MANUAL: 2, PASS: 3, NOT_APPLICABLE: 4 };

  function apply() {
    var text = search.value.trim().toLowerCase();
    var count = 0;
    bodies.forEach(function (body) {
      var d = body.dataset;
      var visible = (!severity.value || d.severity === severity.value) &&
        (!status.value || d.status === status.value) &&
        (!check.value || d.check === check.value) &&
        (!text || d.text.indexOf(text) !== -1);
      body.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = count + " of " + bodies.length + " findings";
    shown.setAttribute("data-shown", String(count));
  }

  function key(body, column) {
    var value = body.dataset[column] || "";
    return Object.prototype.hasOwnProperty.call(rank, value) ? rank[value] : value.toLowerCase();
  }

  function sortBy(header) {
    var column = header.dataset.sort;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[data-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    bodies.sort(function (a, b) {
      var x = key(a, column), y = key(b, column);
      var order = x < y ? -1 : x > y ? 1 : Number(a.dataset.index) - Number(b.dataset.index);
      return ascending ? order : -order;
    });
    bodies.forEach(function (body) { table.appendChild(body); });
  }

  function toggle(body) {
    var detail = body.querySelector("tr.detail");
    var button = body.querySelector("button.toggle");
    var open = detail.hidden;
    detail.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "\u2212" : "+";
  }

  table.addEventListener("click", function (event) {
    var target = event.target;
    var header = target.closest("th[data-sort]");
    if (header) { sortBy(header); return; }
    var row = target.closest("tr.row");
    if (row) { toggle(row.parentNode); }
  });
  table.querySelectorAll("th[data-sort]").forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(th); }
    });
  });
  [search, severity, status, check].forEach(function (control) {
    control.addEventListener("input", apply);
    control.addEventListener("change", apply);
  });
  document.getElementById("expand-all").addEventListener("click", function () {
    var anyClosed = bodies.some(function (b) { return !b.hidden && b.querySelector("tr.detail").hidden; });
    bodies.forEach(function (b) {
      if (!b.hidden && b.querySelector("tr.detail").hidden === anyClosed) { toggle(b); }
    });
  });
  window.addEventListener("beforeprint", function () {
    bodies.forEach(function (b) { b.querySelector("tr.detail").hidden = false; });
  });
  apply();
}());
