"""The page's inline stylesheet and script (no network, no CDN, no framework).

The script never parses lab strings as markup: every text goes in with
textContent or createTextNode, and the data comes from a JSON block.
"""

CSS = r"""
:root { --ok: #2e9e44; --no: #d0342c; --hl: #0b5ed7; --warn: #f0ad00; font-family: system-ui, sans-serif; }
body { margin: 0; color: #111; background: #fafafa; }
header { padding: .6rem 1rem; background: #23364d; color: #fff; }
header h1 { margin: 0; font-size: 1.25rem; }
header p { margin: .2rem 0 0; font-size: .85rem; opacity: .9; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(20rem, 2fr); gap: .8rem; padding: .8rem; }
section { background: #fff; border: 1px solid #ccd; border-radius: 6px; padding: .5rem .7rem; min-width: 0; }
section h2 { font-size: 1rem; margin: .1rem 0 .4rem; }
#topology { grid-column: 1 / 3; }
#drawing { height: 46vh; border: 1px solid #ddd; overflow: hidden; cursor: grab; background: #fff; }
#drawing:focus, #matrix td:focus, #expectations tr:focus { outline: 3px solid var(--hl); outline-offset: -2px; }
#drawing svg { width: 100%; height: 100%; display: block; user-select: none; }
.toolbar { display: flex; gap: .3rem; align-items: center; margin-bottom: .3rem; font-size: .85rem; }
.toolbar button { font: inherit; padding: .1rem .5rem; }
.hint { color: #555; font-size: .8rem; }
#matrix-wrap { max-height: 60vh; overflow: auto; border: 1px solid #ddd; }
#matrix { border-collapse: collapse; font-size: 11px; }
#matrix th { background: #f0f0f4; position: sticky; font-weight: normal; white-space: nowrap; }
#matrix thead th { top: 0; z-index: 2; writing-mode: vertical-rl; transform: rotate(180deg); padding: .3rem .1rem; max-height: 9rem; }
#matrix thead th.corner { left: 0; z-index: 3; writing-mode: horizontal-tb; transform: none; }
#matrix tbody th { left: 0; z-index: 1; text-align: right; padding: 0 .3rem; }
#matrix td { width: 16px; min-width: 16px; height: 16px; padding: 0; text-align: center; color: #fff; cursor: pointer; border: 1px solid #fff; }
#matrix td.y { background: var(--ok); }
#matrix td.n { background: var(--no); }
#matrix td.disagree { box-shadow: inset 0 0 0 3px var(--warn); color: #000; font-weight: bold; }
#matrix td.sel { outline: 3px solid #000; outline-offset: -2px; }
#status { min-height: 1.2em; font-size: .85rem; margin: .3rem 0; }
#expectations { border-collapse: collapse; font-size: .85rem; width: 100%; }
#expectations th, #expectations td { border-bottom: 1px solid #e3e3e8; padding: .15rem .35rem; text-align: left; vertical-align: top; }
#expectations tbody tr { cursor: pointer; }
#expectations tbody tr:hover, #expectations tr.sel { background: #eef3ff; }
.pass { color: var(--ok); font-weight: bold; }
.fail { color: var(--no); font-weight: bold; }
#trace-sec { position: sticky; top: .5rem; align-self: start; max-height: calc(100vh - 1rem); overflow: auto; }
#trace { white-space: pre-wrap; font: 12px/1.35 ui-monospace, monospace; margin: 0; }
#trace .drop { color: var(--no); }
#trace .verdict { font-weight: bold; }
#trace .ok { color: var(--ok); }
#trace .no { color: var(--no); }
#trace .because { color: var(--no); }
.node.vn-hop polygon, .node.vn-hop path, .node.vn-hop rect { stroke: var(--hl); stroke-width: 3px; }
.node.vn-drop polygon, .node.vn-drop path, .node.vn-drop rect { stroke: var(--no); stroke-width: 4px; }
.cluster.vn-hop > path, .cluster.vn-hop > polygon, .cluster.vn-hop > rect { stroke: var(--hl); stroke-width: 2px; }
.cluster.vn-drop > path, .cluster.vn-drop > polygon, .cluster.vn-drop > rect { stroke: var(--no); stroke-width: 3px; }
.edge.vn-hop path, .edge.vn-hop line { stroke: var(--hl); stroke-width: 3px; }
.vn-dim .node:not(.vn-hop):not(.vn-drop), .vn-dim .edge:not(.vn-hop) { opacity: .35; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } #topology { grid-column: 1; } }
"""

JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("vnetlab-data").textContent);
  var T = null, S = [], L = [], waiting = null;  // the traces: inline JSON, or gzip'd and unpacked after drawing
  function tracesLoaded(t) {
    T = t.traces; S = t.strings; L = t.devlists;
    window.vnetlabTracesMs = performance.now(); window.vnetlabTracesReady = true;
    if (waiting) { var w = waiting; waiting = null; show(w[0], w[1]); }
  }
  function loadTraces() {
    var el = document.getElementById("vnetlab-traces");
    if (el.getAttribute("data-encoding") !== "gzip") { tracesLoaded(JSON.parse(el.textContent)); return; }
    var bin = atob(el.textContent.trim()), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    new Response(stream).text().then(function (text) { tracesLoaded(JSON.parse(text)); }, function (err) {
      traceEl.textContent = "the traces could not be unpacked: " + err;
    });
  }
  var svg = document.getElementById("drawing-svg");
  var box = document.getElementById("drawing");
  var traceEl = document.getElementById("trace");
  var titleEl = document.getElementById("trace-title");
  var statusEl = document.getElementById("status");
  function str(i) { return i < 0 ? null : S[i]; }
  function key(src, dst) { return src + "\u0000" + dst; }

  // ---- drawing: index, zoom and pan ---------------------------------------------------------
  var byDev = {}, byNode = {}, edges = [];
  if (svg) {
    svg.querySelectorAll("[data-dev]").forEach(function (g) { byDev[g.getAttribute("data-dev")] = g; });
    svg.querySelectorAll("[data-node]").forEach(function (g) { byNode[g.getAttribute("data-node")] = g; });
    svg.querySelectorAll(".edge[data-a]").forEach(function (g) { edges.push(g); });
  }
  var vb0 = svg ? svg.viewBox.baseVal : null;
  var view = vb0 ? { x: vb0.x, y: vb0.y, w: vb0.width, h: vb0.height } : null;
  var home = view ? { x: view.x, y: view.y, w: view.w, h: view.h } : null;
  function apply() { if (svg) svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h); }
  function zoom(f, cx, cy) {
    if (!view) return;
    if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
    var w = Math.min(Math.max(view.w * f, home.w / 400), home.w * 4), k = w / view.w;
    view.x = cx - (cx - view.x) * k; view.y = cy - (cy - view.y) * k; view.w = w; view.h = view.h * k; apply();
  }
  function pan(dx, dy) { if (!view) return; view.x += dx * view.w; view.y += dy * view.h; apply(); }
  function fit() { if (!view) return; view.x = home.x; view.y = home.y; view.w = home.w; view.h = home.h; apply(); }
  function toSvg(ev) {
    var r = svg.getBoundingClientRect();
    var s = Math.max(view.w / r.width, view.h / r.height);
    var ox = (r.width * s - view.w) / 2, oy = (r.height * s - view.h) / 2;
    return { x: view.x - ox + (ev.clientX - r.left) * s, y: view.y - oy + (ev.clientY - r.top) * s, s: s };
  }
  if (svg) {
    box.addEventListener("wheel", function (ev) {
      ev.preventDefault(); var p = toSvg(ev); zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    var drag = null;
    box.addEventListener("pointerdown", function (ev) { drag = { x: ev.clientX, y: ev.clientY, s: toSvg(ev).s }; box.setPointerCapture(ev.pointerId); box.style.cursor = "grabbing"; });
    box.addEventListener("pointermove", function (ev) {
      if (!drag) return; view.x -= (ev.clientX - drag.x) * drag.s; view.y -= (ev.clientY - drag.y) * drag.s;
      drag.x = ev.clientX; drag.y = ev.clientY; apply();
    });
    box.addEventListener("pointerup", function () { drag = null; box.style.cursor = ""; });
    box.addEventListener("keydown", function (ev) {
      var k = ev.key, done = true;
      if (k === "+" || k === "=") zoom(1 / 1.25); else if (k === "-") zoom(1.25); else if (k === "0") fit();
      else if (k === "ArrowLeft") pan(-0.1, 0); else if (k === "ArrowRight") pan(0.1, 0);
      else if (k === "ArrowUp") pan(0, -0.1); else if (k === "ArrowDown") pan(0, 0.1); else done = false;
      if (done) ev.preventDefault();
    });
  }
  function scale() {
    var r = box.getBoundingClientRect();
    return Math.max(view.w / r.width, view.h / r.height);
  }
  // A drawing too wide to read when fitted (a 200-node star is one long row) opens at a readable
  // scale, at its left end; "fit" shows all of it.
  if (view && box.clientWidth > 0 && home.w / box.clientWidth > 4) {
    view.w = box.clientWidth * 1.2; view.h = box.clientHeight * 1.2;
    view.y = home.y + (home.h - view.h) / 2; apply();
  }
  function reveal(el) {
    if (!el || !view) return;
    var b = box.getBoundingClientRect(), e = el.getBoundingClientRect();
    if (e.left >= b.left && e.right <= b.right && e.top >= b.top && e.bottom <= b.bottom) return;
    var s = scale();
    view.x += ((e.left + e.right) / 2 - (b.left + b.right) / 2) * s;
    view.y += ((e.top + e.bottom) / 2 - (b.top + b.bottom) / 2) * s;
    apply();
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1 / 1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1.25); });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  document.getElementById("clear").addEventListener("click", function () { highlight([], []); });

  function elOf(dev) {
    if (byDev[dev]) return byDev[dev];
    var n = dev.split("/")[0];
    return byNode[dev] || byNode[n] || null;
  }
  var lit = [];
  function highlight(path, drops) {
    lit.forEach(function (e) { e.classList.remove("vn-hop", "vn-drop"); });
    lit = [];
    var on = {};
    path.forEach(function (d) {
      on[d] = true; var e = elOf(d);
      if (e) { e.classList.add("vn-hop"); lit.push(e); }
    });
    drops.forEach(function (d) { var e = elOf(d); if (e) { e.classList.add("vn-drop"); lit.push(e); } });
    edges.forEach(function (g) {
      if (on[g.getAttribute("data-a")] && on[g.getAttribute("data-b")]) { g.classList.add("vn-hop"); lit.push(g); }
    });
    if (svg) svg.classList.toggle("vn-dim", path.length > 0);
    reveal(elOf(drops[0] || path[0] || ""));  // bring the drop (else the start) into view
  }

  // ---- traces -------------------------------------------------------------------------------
  function line(text, cls) {
    var s = document.createElement("span");
    if (cls) s.className = cls;
    s.textContent = text + "\n";
    traceEl.appendChild(s);
  }
  var expanded = {};
  function devlist(i) {  // stored as runs of string ids: [first, count, first, count, ...]
    var d = expanded[i];
    if (d) return d;
    var runs = L[i]; d = [];
    for (var j = 0; j < runs.length; j += 2) for (var k = 0; k < runs[j + 1]; k++) d.push(runs[j] + k);
    return (expanded[i] = d);
  }
  function pad(t, n) { t = String(t); while (t.length < n) t += " "; return t; }
  function devText(list) {
    var names = list.map(str);
    return names.length > 3 ? names[0] + " … " + names[names.length - 1] + " (" + names.length + " devices)" : names.join(", ");
  }
  function renderTrace(src, dst, t, path, drops) {
    line("trace " + src + " -> " + dst + " (lab " + D.lab + ", simulator, cold caches)", "head");
    if (!t) {
      line("This probe's trace is not in the page (it holds the traces of " + D.traced + " probes: written with --traces failing).");
      line("In a shell:");
      line("  vnetlab trace " + D.file + " " + src + " " + dst + D.stepArg);
      return;
    }
    t.l.forEach(function (h) {
      var devs = devlist(h[1]), why = str(h[5]), rule = str(h[6]), verdict = str(h[3]);
      var s = ("    " + h[0]).slice(-4) + " " + pad(devText(devs), 22) + " " + pad(str(h[2]), 7) + " " + pad(verdict, 7) + " " + str(h[4]);
      if (verdict === "drop") {
        line(s, "drop"); line("       \u2718 " + str(devs[0]) + ": " + why + " [" + rule + "; " + str(h[7]) + "]", "drop");
      } else {
        line(s); if (why) line("         " + why);
      }
      devs.forEach(function (d) { (verdict === "drop" ? drops : path).push(str(d)); });
    });
    if (t.ok) line("=> reachable: " + dst + " answered", "verdict ok");
    else {
      line("=> unreachable: no echo reply from " + dst, "verdict no");
      t.b.forEach(function (b) {
        line("   because " + str(b[0]) + ": " + str(b[1]) + (b[2] >= 0 ? " [" + str(b[2]) + "; " + str(b[3]) + "]" : ""), "because");
        drops.push(str(b[0]));
      });
    }
  }
  function show(probes, title) {
    titleEl.textContent = title;
    if (!T) { waiting = [probes, title]; traceEl.textContent = "unpacking the traces\u2026"; return; }
    traceEl.textContent = "";
    var path = [], drops = [];
    probes.forEach(function (p, i) {
      if (i) line("");
      renderTrace(p[0], p[1], T[key(p[0], p[1])], path, drops);
    });
    highlight(path, drops);
  }

  // ---- matrix: click, keyboard (one tab stop, arrows move, Enter shows the trace) ----------------
  var table = document.getElementById("matrix");
  var selCell = null;
  function describe(td) {
    var t = td.getAttribute("data-src") + " \u2192 " + td.getAttribute("data-dst") + ": " +
      (td.getAttribute("data-reach") === "true" ? "reach" : "no reach");
    if (td.hasAttribute("data-kernel")) t += " (sim: " + td.getAttribute("data-sim") + ", kernel: " + td.getAttribute("data-kernel") + ")";
    return t;
  }
  function pick(td) {
    if (selCell) selCell.classList.remove("sel");
    selCell = td; td.classList.add("sel");
    show([[td.getAttribute("data-src"), td.getAttribute("data-dst")]], describe(td));
  }
  function focusCell(td) {
    if (!td) return;
    var cur = table.querySelector("td[tabindex]");
    if (cur) cur.removeAttribute("tabindex");
    td.tabIndex = 0; td.focus({ preventScroll: false });
  }
  if (table) {
    table.addEventListener("click", function (ev) { var td = ev.target.closest("td"); if (td) { focusCell(td); pick(td); } });
    table.addEventListener("focusin", function (ev) { var td = ev.target.closest("td"); if (td) statusEl.textContent = describe(td); });
    table.addEventListener("mouseover", function (ev) { var td = ev.target.closest("td"); if (td) statusEl.textContent = describe(td); });
    table.addEventListener("keydown", function (ev) {
      var td = ev.target.closest("td"); if (!td) return;
      var tr = td.parentElement, i = td.cellIndex, next = null;
      switch (ev.key) {
        case "Enter": case " ": pick(td); ev.preventDefault(); return;
        case "ArrowRight": next = td.nextElementSibling; break;
        case "ArrowLeft": next = td.previousElementSibling; break;
        case "ArrowDown": next = tr.nextElementSibling && tr.nextElementSibling.cells[i]; break;
        case "ArrowUp": next = tr.previousElementSibling && tr.previousElementSibling.cells[i]; break;
        case "Home": next = tr.cells[1]; break;
        case "End": next = tr.cells[tr.cells.length - 1]; break;
        default: return;
      }
      ev.preventDefault();
      if (next && next.tagName === "TD") focusCell(next);
    });
  }

  // ---- expectations -------------------------------------------------------------------------
  var selRow = null;
  var et = document.getElementById("expectations");
  function pickRow(tr) {
    var e = D.expect[+tr.getAttribute("data-i")];
    if (selRow) selRow.classList.remove("sel");
    selRow = tr; tr.classList.add("sel");
    show(e.probes, "expectation " + e.from + " \u2192 " + e.to + ": " + (e.passed ? "PASS" : "FAIL"));
  }
  if (et) {
    et.addEventListener("click", function (ev) { var tr = ev.target.closest("tbody tr"); if (tr) pickRow(tr); });
    et.addEventListener("keydown", function (ev) {
      var tr = ev.target.closest("tbody tr"); if (!tr) return;
      if (ev.key === "Enter" || ev.key === " ") { pickRow(tr); ev.preventDefault(); }
      else if (ev.key === "ArrowDown" && tr.nextElementSibling) { tr.nextElementSibling.focus(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp" && tr.previousElementSibling) { tr.previousElementSibling.focus(); ev.preventDefault(); }
    });
  }

  requestAnimationFrame(function () {
    setTimeout(function () {
      window.vnetlabReadyMs = performance.now(); window.vnetlabReady = true;
      // the traces come after this script in the page: parsed while the page is already drawn
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", loadTraces);
      else loadTraces();
    }, 0);
  });
})();
"""
