/* crmscan HTML report: the findings table a page at a time from the embedded data
   (filter, sort, expand), and the passing resources of a check on demand. No network use.
   CRM text only ever reaches the page through textContent, never as markup. */
(function () {
  "use strict";
  var node = document.getElementById("crmscan-data");
  var table = document.getElementById("findings");
  if (!node || !table) { return; }

  /* The data is gzip-compressed JSON in base64 (a fifth of its size, so the file opens
     fast); the browser's own DecompressionStream inflates it. */
  function load(then) {
    if (typeof DecompressionStream === "undefined") {
      table.parentNode.insertBefore(document.createElement("p"), table).textContent =
        "This browser cannot show the findings table (it lacks DecompressionStream: " +
        "Chrome 80, Edge 80, Firefox 113, Safari 16.4 or later can).";
      return;
    }
    var binary = atob(node.textContent.trim()), bytes = new Uint8Array(binary.length);
    for (var b = 0; b < binary.length; b += 1) { bytes[b] = binary.charCodeAt(b); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    new Response(stream).text().then(function (text) { then(JSON.parse(text)); })
      .catch(function (error) {
        table.parentNode.insertBefore(document.createElement("p"), table).textContent =
          "The findings data could not be read: " + error;
      });
  }
  load(run);

  function run(data) {
    var loadedAt = performance.now();
    var NAME = "\u0000", ID = "\u0001";
    var res = data.resources, shapes = data.shapes;
    var rowShape = data.rows.s, rowRes = data.rows.r;
    var total = rowShape.length;
    var rank = { critical: 0, high: 1, medium: 2, low: 3, info: 4,
                 FAIL: 0, ERROR: 1, MANUAL: 2, PASS: 3, NOT_APPLICABLE: 4 };
    var search = document.getElementById("filter-text");
    var severity = document.getElementById("filter-severity");
    var status = document.getElementById("filter-status");
    var check = document.getElementById("filter-check");
    var shown = document.getElementById("shown");
    var pageInfo = document.getElementById("page-info");
    var prev = document.getElementById("page-prev");
    var next = document.getElementById("page-next");
    var sizeSelect = document.getElementById("page-size");
    var printNote = document.getElementById("print-note");

    var order = new Int32Array(total);
    var filtered = new Int32Array(total);
    var count = total, page = 0, pageSize = data.page_sizes[0];
    var nameRank = null;
    var i;
    for (i = 0; i < total; i += 1) { order[i] = i; filtered[i] = i; }

    function str(value) { return value === null || value === undefined ? "" : String(value); }
    function label(value) {
      return str(value).replace(/_/g, " ").toLowerCase().replace(/\b[a-z]/g, function (c) {
        return c.toUpperCase();
      });
    }
    function el(tag, className, content) {
      var element = document.createElement(tag);
      if (className) { element.className = className; }
      if (content !== undefined) { element.textContent = str(content); }
      return element;
    }
    function fill(value, name, id) {
      if (typeof value === "string") {
        if (value.indexOf(ID) !== -1) { value = value.split(ID).join(str(id)); }
        if (value.indexOf(NAME) !== -1) { value = value.split(NAME).join(str(name)); }
        return value;
      }
      if (Array.isArray(value)) { return value.map(function (v) { return fill(v, name, id); }); }
      if (value && typeof value === "object") {
        var out = {};
        Object.keys(value).forEach(function (k) { out[k] = fill(value[k], name, id); });
        return out;
      }
      return value;
    }
    function resource(index) {
      return { type: data.types[res.t[index]] || null, id: res.i[index], name: res.n[index] };
    }
    function message(row) {
      var shape = shapes[rowShape[row]];
      if (!shape.tpl) { return str(shape.message); }
      return fill(str(shape.message), res.n[rowRes[row]], res.i[rowRes[row]]);
    }
    /* The finding of row ``row``, as the result document has it. */
    function finding(row) {
      var shape = shapes[rowShape[row]], out = {};
      var where = resource(rowRes[row]);
      Object.keys(shape).forEach(function (k) { if (k !== "tpl") { out[k] = shape[k]; } });
      if (shape.resource) { Object.keys(shape.resource).forEach(function (k) { where[k] = shape.resource[k]; }); }
      out.resource = where;
      out.remediation = data.remediations[shape.remediation];
      if (shape.tpl) {
        out.message = fill(shape.message, where.name, where.id);
        out.evidence = fill(shape.evidence, where.name, where.id);
      }
      return out;
    }
    function shownName(row) {
      var r = rowRes[row];
      return str(res.n[r] || res.i[r] || data.types[res.t[r]]);
    }

    /* Text search, exact and without a search string per row: a finding matches when the
       text is in its check id, title or domain, in its resource's name or id, or in its
       message. A message is its shape's template with the resource's name and id put
       back, so the text is in it if it is in a piece of the template, in the name or id,
       or across a piece's edge; only shapes whose template edges can meet the text
       (`straddles`) have their rows' messages filled and searched. */
    var shapeLow = [], resLow = null;
    function lowShape(s) {
      if (!shapeLow[s]) {
        var shape = shapes[s];
        shapeLow[s] = { head: (str(shape.check_id) + "\n" + str(shape.title)).toLowerCase(),
                        message: str(shape.message).toLowerCase(), tail: str(shape.domain).toLowerCase() };
      }
      return shapeLow[s];
    }
    function lowResources() {
      if (!resLow) {
        resLow = { n: res.n.map(function (n) { return str(n).toLowerCase(); }),
                   i: res.i.map(function (i) { return str(i).toLowerCase(); }) };
      }
      return resLow;
    }
    function straddles(message, text) {
      var pieces = message.split(/[\u0000\u0001]/), last = pieces.length - 1, k, j;
      for (j = 0; j < last; j += 1) {
        var left = pieces[j], right = pieces[j + 1];
        if ((!left && j > 0) || (!right && j + 1 < last)) { return true; }
        for (k = 1; k < text.length; k += 1) {
          var head = text.slice(0, k), tail = text.slice(k);
          if (left && (left.slice(-head.length) === head || head.slice(-left.length) === left)) { return true; }
          if (right && (right.indexOf(tail) === 0 || tail.indexOf(right) === 0)) { return true; }
        }
      }
      return false;
    }
    function filledMessage(row, low) {
      var names = lowResources(), r = rowRes[row], text = low.message;
      if (text.indexOf(ID) !== -1) { text = text.split(ID).join(names.i[r]); }
      if (text.indexOf(NAME) !== -1) { text = text.split(NAME).join(names.n[r]); }
      return text;
    }
    function matcher(text) {
      var names = lowResources(), hit = new Uint8Array(res.n.length), r;
      for (r = 0; r < hit.length; r += 1) {
        hit[r] = names.n[r].indexOf(text) !== -1 || names.i[r].indexOf(text) !== -1 ? 1 : 0;
      }
      var shapeHit = [], cross = [];
      shapes.forEach(function (shape, s) {
        var low = lowShape(s);
        shapeHit[s] = low.head.indexOf(text) !== -1 || low.tail.indexOf(text) !== -1 ||
          low.message.indexOf(text) !== -1;
        cross[s] = !!shape.tpl && /[\u0000\u0001]/.test(low.message) && straddles(low.message, text);
      });
      return function (row) {
        var s = rowShape[row];
        return shapeHit[s] || hit[rowRes[row]] === 1 ||
          (cross[s] && filledMessage(row, lowShape(s)).indexOf(text) !== -1);
      };
    }

    function apply() {
      var text = search.value.trim().toLowerCase();
      var ok = shapes.map(function (s) {
        return (!severity.value || s.severity === severity.value) &&
          (!status.value || s.status === status.value) &&
          (!check.value || s.check_id === check.value);
      });
      var matches = text ? matcher(text) : null;
      count = 0;
      for (var k = 0; k < total; k += 1) {
        var row = order[k];
        if (ok[rowShape[row]] && (!matches || matches(row))) {
          filtered[count] = row;
          count += 1;
        }
      }
      shown.textContent = count + " of " + total + " findings";
      shown.setAttribute("data-shown", String(count));
      page = 0;
      render();
    }

    function detailList(row) {
      var f = finding(row), dl = el("dl");
      var frameworks = data.frameworks[f.check_id];
      var where = f.resource;
      function add(term, value, pre) {
        dl.appendChild(el("dt", "", term));
        var dd = el("dd");
        if (pre) { dd.appendChild(el("pre", "", value)); } else { dd.textContent = value; }
        dl.appendChild(dd);
      }
      add("Resource", str(where.type) + " \u00b7 " + str(where.name || where.id || where.type) +
        " \u00b7 " + str(where.id));
      add("Evidence", JSON.stringify(sorted(f.evidence || {}), null, 2), true);
      add("Remediation", str(f.remediation) || "-", true);
      var exc = f.exception;
      add("Exception", !exc ? "none" : str(exc.reason) + " \u2014 approved by " + str(exc.approved_by) +
        ", expires " + str(exc.expires) + (exc.ticket ? ", ticket " + str(exc.ticket) : "") +
        (exc.expired ? " (expired, no longer applies)" : " (active)"));
      add("Frameworks", frameworks || "none mapped");
      var att = f.attestation;
      if (att) {
        add("Attestation", str(att.statement) + " \u2014 " + str(att.attested_by) + ", " +
          str(att.date) + " (" + str(att.outcome) + ")");
      }
      return dl;
    }
    function sorted(value) {
      if (Array.isArray(value)) { return value.map(sorted); }
      if (value && typeof value === "object") {
        var out = {};
        Object.keys(value).sort().forEach(function (k) { out[k] = sorted(value[k]); });
        return out;
      }
      return value;
    }

    function rowBody(row) {
      var shape = shapes[rowShape[row]];
      var body = el("tbody", "finding"), tr = el("tr", "row"), cell;
      body.setAttribute("data-index", String(row));
      body.setAttribute("data-severity", str(shape.severity));
      body.setAttribute("data-status", str(shape.status));
      body.setAttribute("data-check", str(shape.check_id));
      body.setAttribute("data-resource", shownName(row));
      var button = el("button", "toggle", "+");
      button.type = "button";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-label", "Show details");
      cell = el("td"); cell.appendChild(button); tr.appendChild(cell);
      cell = el("td");
      cell.appendChild(el("span", "badge st-" + str(shape.status), label(shape.status)));
      if (shape.exception) {
        var expired = shape.exception.expired;
        cell.appendChild(el("div", expired ? "exc expired" : "exc", expired ? "exception expired" : "excepted"));
      }
      tr.appendChild(cell);
      cell = el("td");
      cell.appendChild(el("span", "badge s-" + str(shape.severity), shape.severity));
      tr.appendChild(cell);
      cell = el("td");
      cell.appendChild(el("b", "", shape.check_id));
      cell.appendChild(el("br"));
      cell.appendChild(document.createTextNode(str(shape.title)));
      tr.appendChild(cell);
      tr.appendChild(el("td", "", shownName(row)));
      tr.appendChild(el("td", "", message(row)));
      body.appendChild(tr);
      var detail = el("tr", "detail");
      detail.hidden = true;
      detail.appendChild(el("td"));
      var wide = el("td");
      wide.colSpan = 5;
      detail.appendChild(wide);
      body.appendChild(detail);
      return body;
    }

    function render() {
      var pages = Math.max(1, Math.ceil(count / pageSize));
      if (page >= pages) { page = pages - 1; }
      var start = page * pageSize, end = Math.min(count, start + pageSize);
      Array.prototype.slice.call(table.tBodies).forEach(function (b) { table.removeChild(b); });
      var fragment = document.createDocumentFragment();
      for (var k = start; k < end; k += 1) { fragment.appendChild(rowBody(filtered[k])); }
      table.appendChild(fragment);
      var range = count ? (start + 1) + "\u2013" + end : "0";
      pageInfo.textContent = "Findings " + range + " of " + count + " \u00b7 page " + (page + 1) + " of " + pages;
      pageInfo.setAttribute("data-page", String(page + 1));
      pageInfo.setAttribute("data-pages", String(pages));
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
      printNote.textContent = count > end - start ?
        "Printed: findings " + range + " of the " + count + " shown by the filters (the rest are on other pages)." : "";
    }

    function toggle(body) {
      var detail = body.querySelector("tr.detail");
      var button = body.querySelector("button.toggle");
      var open = detail.hidden;
      if (open && !detail.lastChild.firstChild) {
        detail.lastChild.appendChild(detailList(Number(body.getAttribute("data-index"))));
      }
      detail.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "\u2212" : "+";
    }

    function sortKey(column) {
      var keys = new Float64Array(total), checkRank = {};
      if (column === "check") {
        shapes.map(function (s) { return str(s.check_id); }).sort().forEach(function (c, n) {
          if (!(c in checkRank)) { checkRank[c] = n; }
        });
      }
      if (column === "resource" && !nameRank) {
        var names = res.n.map(function (n, r) { return str(n || res.i[r] || data.types[res.t[r]]).toLowerCase(); });
        var byName = names.map(function (_, r) { return r; }).sort(function (a, b) {
          return names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : a - b;
        });
        nameRank = new Int32Array(names.length);
        byName.forEach(function (r, n) { nameRank[r] = n; });
      }
      for (var row = 0; row < total; row += 1) {
        var shape = shapes[rowShape[row]];
        keys[row] = column === "status" ? rank[shape.status] :
          column === "severity" ? rank[shape.severity] :
          column === "check" ? checkRank[str(shape.check_id)] : nameRank[rowRes[row]];
      }
      return keys;
    }
    function sortBy(header) {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th[data-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var keys = sortKey(header.getAttribute("data-sort")), sign = ascending ? 1 : -1;
      order.sort(function (a, b) { return sign * (keys[a] - keys[b] || a - b); });
      apply();
    }

    table.addEventListener("click", function (event) {
      var header = event.target.closest("th[data-sort]");
      if (header) { sortBy(header); return; }
      var row = event.target.closest("tr.row");
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
    prev.addEventListener("click", function () { if (page > 0) { page -= 1; render(); } });
    next.addEventListener("click", function () { page += 1; render(); });
    sizeSelect.addEventListener("change", function () {
      pageSize = Number(sizeSelect.value) || data.page_sizes[0];
      page = 0;
      render();
    });
    function bodies() { return Array.prototype.slice.call(table.tBodies); }
    document.getElementById("expand-all").addEventListener("click", function () {
      var anyClosed = bodies().some(function (b) { return b.querySelector("tr.detail").hidden; });
      bodies().forEach(function (b) {
        if (b.querySelector("tr.detail").hidden === anyClosed) { toggle(b); }
      });
    });
    window.addEventListener("beforeprint", function () {
      bodies().forEach(function (b) { if (b.querySelector("tr.detail").hidden) { toggle(b); } });
    });

    /* Passing resources of a check, listed on demand a slice at a time. */
    function passing(checkId) {
      var runs = data.passing[checkId] || [], out = [], end = 0;
      for (var k = 0; k < runs.length; k += 2) {
        var start = end + runs[k];
        end = start + runs[k + 1];
        for (var r = start; r < end; r += 1) { out.push(r); }
      }
      return out;
    }
    function showMore(list, indices, more) {
      var from = list.childElementCount, to = Math.min(indices.length, from + (from ? 1000 : 200));
      for (var k = from; k < to; k += 1) {
        var where = resource(indices[k]);
        var item = el("li");
        item.appendChild(el("span", "rname", where.name || where.id || where.type));
        if (where.id && where.name) {
          item.appendChild(document.createTextNode(" "));
          item.appendChild(el("span", "rid", where.id));
        }
        list.appendChild(item);
      }
      more.hidden = to >= indices.length;
      more.textContent = "Show more (" + (indices.length - to) + " left)";
    }
    var checks = document.getElementById("check-table");
    if (checks) {
      checks.addEventListener("click", function (event) {
        var button = event.target.closest("button.show-pass");
        if (!button) { return; }
        var row = button.closest("tr"), open = button.getAttribute("aria-expanded") !== "true";
        var listRow = row.nextElementSibling;
        if (open && !(listRow && listRow.classList.contains("pass-row"))) {
          var indices = passing(button.getAttribute("data-check"));
          listRow = el("tr", "pass-row");
          var cell = el("td");
          cell.colSpan = row.cells.length;
          var list = el("ol", "pass-list"), more = el("button", "pass-more");
          more.type = "button";
          more.addEventListener("click", function () { showMore(list, indices, more); });
          cell.appendChild(list);
          cell.appendChild(more);
          listRow.appendChild(cell);
          row.parentNode.insertBefore(listRow, row.nextSibling);
          showMore(list, indices, more);
        }
        if (listRow && listRow.classList.contains("pass-row")) { listRow.hidden = !open; }
        button.setAttribute("aria-expanded", String(open));
      });
    }

    render();
    document.documentElement.setAttribute("data-ready", "1");
    window.crmscanReport = { finding: finding, total: total, readyAt: performance.now(),
                             loadedAt: loadedAt };
  }
}());
