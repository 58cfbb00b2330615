// qualcode report: lists the passages behind a matrix cell, a code, or the disagreements,
// a page at a time, from the data embedded in the page. Text is set with textContent only.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("qualcode-data").textContent);
  var PAGE = 25;
  var panel = document.getElementById("passages");
  var list = document.getElementById("passages-list");
  var heading = document.getElementById("passages-title");
  var more = document.getElementById("more");
  var current = { items: [], shown: 0, codes: [] };

  function label(code) { return data.labels[code] || code; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function passageNode(p, codes) {
    var item = el("li");
    var quote = el("blockquote", "passage");
    var marks = [];
    p.codes.forEach(function (c) { if (codes.indexOf(c.code) >= 0) marks = marks.concat(c.marks); });
    marks.sort(function (x, y) { return x[0] - y[0]; });
    var at = 0;
    marks.forEach(function (m) {
      if (m[0] < at) return;
      quote.appendChild(document.createTextNode(p.text.slice(at, m[0])));
      quote.appendChild(el("mark", null, p.text.slice(m[0], m[1])));
      at = m[1];
    });
    quote.appendChild(document.createTextNode(p.text.slice(at)));
    item.appendChild(quote);
    var where = [p.doc + " #" + p.seg];
    if (p.speaker) where.push(p.speaker);
    if (p.at) where.push(p.at);
    p.groups.forEach(function (kv) { if (kv[1] !== null) where.push(kv[0] + " " + kv[1]); });
    item.appendChild(el("p", "meta", where.join(" · ")));
    p.codes.forEach(function (c) {
      if (codes.indexOf(c.code) < 0) return;
      var line = label(c.code) + ": " + c.status + (c.coder ? " by " + c.coder : "") +
        (c.score !== null ? " · score " + Number(c.score).toFixed(2) : "");
      item.appendChild(el("p", "meta", line));
      if (c.evidence) item.appendChild(el("p", "evidence", c.evidence));
      if (c.memo) item.appendChild(el("p", "memo", "Memo: " + c.memo));
    });
    return item;
  }

  function showPage() {
    var stop = Math.min(current.shown + PAGE, current.items.length);
    for (var k = current.shown; k < stop; k++) {
      list.appendChild(passageNode(data.passages[current.items[k]], current.codes));
    }
    current.shown = stop;
    more.hidden = current.shown >= current.items.length;
    more.textContent = "Show more (" + (current.items.length - current.shown) + " left)";
  }

  function open(title, items, codes) {
    current = { items: items, shown: 0, codes: codes };
    list.textContent = "";
    heading.textContent = title + " — " + items.length + " passage" + (items.length === 1 ? "" : "s");
    panel.hidden = false;
    showPage();
    panel.scrollTop = 0;
  }

  document.querySelectorAll("a.cell").forEach(function (cell) {
    cell.addEventListener("click", function (event) {
      event.preventDefault();
      document.querySelectorAll("a.cell.selected").forEach(function (c) { c.classList.remove("selected"); });
      cell.classList.add("selected");
      var a = cell.dataset.a, b = cell.dataset.b;
      var key = [a, b].sort().join("\t");
      var items = data.pairs[key] || [];
      var title = label(a) + " × " + label(b);
      if (cell.dataset.column) {
        var column = cell.dataset.column, value = cell.dataset.value;
        items = items.filter(function (k) {
          return data.passages[k].groups.some(function (kv) { return kv[0] === column && String(kv[1]) === value; });
        });
        title += " (" + column + " = " + value + ")";
      }
      open(title, items, [a, b]);
    });
  });

  document.querySelectorAll("button.all").forEach(function (button) {
    button.addEventListener("click", function () {
      var code = button.dataset.code;
      open(label(code), data.codes[code] || [], [code]);
    });
  });

  var moreDisagreements = document.getElementById("more-disagreements");
  if (moreDisagreements) {
    var body = document.querySelector("#disagreements tbody");
    var coders = Array.prototype.map.call(document.querySelectorAll("#disagreements thead th"), function (th) { return th.textContent; }).slice(2);
    var shown = body.children.length;
    moreDisagreements.addEventListener("click", function () {
      var stop = Math.min(shown + PAGE, data.disagreements.length);
      for (var k = shown; k < stop; k++) {
        var d = data.disagreements[k];
        var row = el("tr");
        var cell = el("td");
        var node = passageNode(data.passages[d.p], [d.code]);
        while (node.firstChild) cell.appendChild(node.firstChild);
        row.appendChild(cell);
        row.appendChild(el("td", null, label(d.code)));
        coders.forEach(function (coder) { row.appendChild(el("td", null, d.by === coder ? "applied" : "—")); });
        body.appendChild(row);
      }
      shown = stop;
      moreDisagreements.hidden = shown >= data.disagreements.length;
    });
  }

  more.addEventListener("click", showPage);
  document.getElementById("close").addEventListener("click", function () { panel.hidden = true; });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") panel.hidden = true; });
})();
