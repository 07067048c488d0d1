"""`vnetlab view`: one self-contained HTML page of a lab.

The page holds the drawing (inline SVG), the reachability matrix, the
expectations and the simulator's trace of every probe it shows, all computed
when it is written: it opens offline, from file://, with no network at all.

Lab strings are untrusted. Control characters in them are shown as the CLI
shows them (``\\x1b``); text goes into the HTML through ``html.escape``, data
into JSON blocks with ``<``, ``>`` and ``&`` escaped, and the script only ever
sets ``textContent``. Besides, the page's Content-Security-Policy lets only its
own script (by hash) run and fetches nothing.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
import os
import shlex
import time
from dataclasses import dataclass, field
from typing import Any

from ..resolve import Resolved
from . import data
from .assets import CSS, JS
from .layout import drawing
from .traces import Packer


@dataclass
class Stats:
    cells: int = 0
    traced: int = 0
    engine: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    size: int = 0


def _e(text: object) -> str:
    """Text for HTML: control characters as visible escapes (as the CLI shows them), then escaped."""
    return html.escape(data.safe(text), quote=True)


#: traces beyond this many bytes of JSON go in gzip'd (and base64'd): 40000 traces of a
#: 200-node star are tens of MB of JSON, a tenth of that compressed; the browser unpacks
#: them with its own DecompressionStream after the page is drawn
GZIP_ABOVE = 1_000_000


def _traces_block(tdoc: dict[str, Any]) -> str:
    text = _json_block(tdoc)
    if len(text) <= GZIP_ABOVE:
        return f"<script type='application/json' id='vnetlab-traces'>{text}</script>\n"
    packed = base64.b64encode(gzip.compress(text.encode(), compresslevel=6, mtime=0)).decode()
    return f"<script type='application/octet-stream' id='vnetlab-traces' data-encoding='gzip'>{packed}</script>\n"


def _json_block(doc: Any) -> str:
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


# -- traces, in worker processes when there are many ------------------------------------------

_W: dict[str, Any] = {}


def _worker_init(r: Resolved) -> None:
    _W.update(r=r, owners=data.address_owners(r))


def _trace_row(src: str, addrs: list[str], pk: Packer) -> dict[str, Any]:
    return {f"{src}\u0000{a}": pk.pack(res, _W["owners"]) for a, res in data.trace_row(_W["r"], src, addrs)}


def _trace_job(job: tuple[str, list[str]]) -> tuple[list[str], list[list[int]], dict[str, Any]]:
    """In a worker: one row's traces, packed with a Packer of its own (the parent re-indexes them)."""
    pk = Packer()
    out = _trace_row(job[0], job[1], pk)
    return pk.strings, pk.devlists, out


def _trace_all(r: Resolved, want: list[tuple[str, str]], pk: Packer, progress: Any, jobs: int) -> dict[str, Any]:
    rows: dict[str, list[str]] = {}
    for s, a in dict.fromkeys(want):
        rows.setdefault(s, []).append(a)
    total = sum(len(v) for v in rows.values())
    packed: dict[str, Any] = {}
    if jobs <= 0:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    jobs = min(jobs, len(rows))
    if jobs > 1 and total >= 500:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_init, initargs=(r,)) as pool:
            for part in pool.imap(_trace_job, rows.items()):
                packed.update(pk.absorb(*part))
                if progress is not None:
                    progress(len(packed), total)
    else:
        _worker_init(r)
        for src, addrs in rows.items():
            packed.update(_trace_row(src, addrs, pk))
            if progress is not None:
                progress(len(packed), total)
    return packed


def build_page(
    r: Resolved,
    *,
    file_label: str,
    backend: str = "sim",
    traces: str = "all",
    engine: str = "auto",
    progress: Any = None,
    jobs: int = 0,
    step: str | None = None,
) -> tuple[str, Stats]:
    """The page's HTML and what it took. backend: sim, kernel or both; traces: all or failing;
    progress(done, total) is called as traces are done; jobs: worker processes for the traces
    (0: one per CPU this process may use); step: the name of the step ``r`` stands after (the
    page says so, and its `vnetlab trace` hints carry ``--step``)."""
    st = Stats()
    t0 = time.perf_counter()
    names = ["sim", "kernel"] if backend == "both" else [backend]
    mats = data.matrices(r, names)
    st.seconds["matrix"] = time.perf_counter() - t0
    judge = mats["kernel"] if "kernel" in mats else mats["sim"]
    targets = mats["sim" if "sim" in mats else "kernel"]["targets"]
    k_src: set[str] = set()
    k_addr: set[str] = set()
    if backend == "both":
        k_src, k_addr = data.kernel_unchecked(r)

    # cells: (src, addr) -> (reach, sim, kernel or None)
    cells: dict[tuple[str, str], tuple[bool, bool | None, bool | None]] = {}
    rows = list(mats[names[0]]["rows"])
    for src in rows:
        for t in targets:
            a = t["address"]
            sv = mats["sim"]["rows"].get(src, {}).get(a) if "sim" in mats else None
            kv = None
            if "kernel" in mats and src not in k_src and a not in k_addr:
                kv = mats["kernel"]["rows"].get(src, {}).get(a)
            reach = kv if kv is not None else (sv if sv is not None else judge["rows"][src][a])
            cells[(src, a)] = (bool(reach), sv, kv)
    st.cells = len(cells)

    t1 = time.perf_counter()
    exp = data.expectations(r, names)
    st.seconds["expectations"] = time.perf_counter() - t1

    exp_probes = [
        [[row.expectation.from_, a] for a in addrs]
        for row, addrs in zip(exp, data.expectation_addresses(r), strict=True)
    ]
    if traces == "all":
        want = list(cells)
    else:
        want = [c for c, (reach, sv, kv) in cells.items() if not reach or (kv is not None and sv != kv)]
    want += [(p[0], p[1]) for ps in exp_probes for p in ps]
    t2 = time.perf_counter()
    pk = Packer()
    packed = _trace_all(r, want, pk, progress, jobs)
    st.seconds["traces"] = time.perf_counter() - t2
    st.traced = len(packed)

    t3 = time.perf_counter()
    svg, st.engine = drawing(r, engine)
    st.seconds["drawing"] = time.perf_counter() - t3

    doc = {
        "lab": r.lab.lab,
        "file": data.safe(file_label),
        "step": None if step is None else data.safe(step),
        "stepArg": "" if step is None else " --step " + shlex.quote(step),
        "backend": backend,
        "cells": len(cells),
        "traced": len(packed),
        "expect": [
            {
                "from": data.safe(row.expectation.from_),
                "to": data.safe(row.expectation.to),
                "passed": row.passed,
                "probes": probes,
            }
            for row, probes in zip(exp, exp_probes, strict=True)
        ],
    }
    tdoc = {"strings": pk.strings, "devlists": pk.devlists, "traces": packed}
    page = _html(r, backend, names, targets, rows, cells, exp, svg, st, doc, tdoc)
    st.size = len(page.encode())
    st.seconds["total"] = time.perf_counter() - t0
    return page, st


def _html(
    r: Resolved,
    backend: str,
    names: list[str],
    targets: list[dict[str, str]],
    rows: list[str],
    cells: dict[tuple[str, str], tuple[bool, bool | None, bool | None]],
    exp: list[data.ExpectRow],
    svg: str,
    st: Stats,
    doc: dict[str, Any],
    tdoc: dict[str, Any],
) -> str:
    lab = r.lab
    n_reach = sum(1 for v in cells.values() if v[0])
    n_dis = sum(1 for v in cells.values() if v[2] is not None and v[1] is not None and v[1] != v[2])
    n_fail = sum(1 for x in exp if not x.passed)
    out: list[str] = []
    w = out.append
    w("<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n")
    # Defence in depth: only our own script (by its hash) may run, and nothing is fetched.
    sha = base64.b64encode(hashlib.sha256(JS.encode()).digest()).decode()
    w(
        f"<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{sha}'; img-src data:\">\n"
    )
    w(
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>\n<title>vnetlab view: {_e(lab.lab)}</title>\n"
    )
    after = "" if doc.get("step") is None else f" <span id='step'>after step {_e(doc['step'])}</span>"
    w(f"<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>lab {_e(lab.lab)}{after}</h1>\n")
    if lab.description:
        w(f"<p>{_e(lab.description.strip())}</p>\n")
    summary = (
        f"backend {backend} · {len(r.lab.nodes)} nodes, {len(r.lab.switches)} switches, {len(r.guests)} guests · "
        f"{len(cells)} probes, {n_reach} reach · {len(exp) - n_fail} of {len(exp)} expectations pass"
        + (f" · {n_dis} disagreements between sim and kernel" if backend == "both" else "")
        + f" · traces of {st.traced} probes (simulator) · drawn by {st.engine}"
    )
    w(f"<p id='summary'>{_e(summary)}</p>\n</header>\n<main>\n")

    w("<section id='topology' aria-labelledby='topo-h'>\n<h2 id='topo-h'>Topology</h2>\n<div class='toolbar'>")
    w("<button id='zoom-in' type='button' aria-label='zoom in'>+</button>")
    w("<button id='zoom-out' type='button' aria-label='zoom out'>−</button>")
    w("<button id='zoom-fit' type='button'>fit</button><button id='clear' type='button'>clear path</button>")
    w(
        "<span class='hint'>wheel or + − 0 to zoom, drag or arrow keys to pan; hover for every attribute; fill colour = broadcast domain</span></div>\n"
    )
    w(
        f"<div id='drawing' tabindex='0' aria-label='drawing of the lab: + and − zoom, arrows pan'>{svg}</div>\n</section>\n"
    )

    w("<div>\n<section id='matrix-sec' aria-labelledby='matrix-h'>\n<h2 id='matrix-h'>Reachability matrix</h2>\n")
    w("<p class='hint'>Rows: nodes and guests; columns: every IPv4 address. Green reach, red ✘ no reach")
    if backend == "both":
        w("; colour is the kernel's verdict, a yellow frame and ≠ mark a cell where the simulator disagrees")
    w(". Click a cell, or Tab into the grid, move with the arrow keys and press Enter, to see its trace.</p>\n")
    w(
        "<div id='matrix-wrap'><table id='matrix' role='grid' aria-label='reachability matrix'>\n<thead><tr><th class='corner'>from \\ to</th>"
    )
    for t in targets:
        w(f"<th scope='col' title='{_e(t['node'] + '/' + t['interface'])}'>{_e(t['node'])} {_e(t['address'])}</th>")
    w("</tr></thead>\n<tbody>\n")
    first = True
    for src in rows:
        es = _e(src)
        w(f"<tr><th scope='row'>{es}</th>")
        for t in targets:
            a = t["address"]
            reach, sv, kv = cells[(src, a)]
            extra = " tabindex='0'" if first else ""  # one tab stop: the script moves it with the arrows
            cls = " class='y'" if reach else " class='n'"
            sym = "" if reach else "✘"  # no glyph on green: 40000 glyphs cost a second of layout
            both = ""
            if backend == "both":
                if sv is not None:
                    both += f" data-sim='{str(sv).lower()}'"
                if kv is not None:
                    both += f" data-kernel='{str(kv).lower()}'"
                if sv is not None and kv is not None and sv != kv:
                    cls = cls[:-1] + " disagree'"
                    sym = "≠"
            w(f"<td{cls}{extra} data-src='{es}' data-dst='{_e(a)}' data-reach='{str(reach).lower()}'{both}>{sym}</td>")
            first = False
        w("</tr>\n")
    w("</tbody></table></div>\n<p id='status' aria-live='polite'></p>\n</section>\n")

    w("<section id='expect-sec' aria-labelledby='expect-h'>\n<h2 id='expect-h'>Expectations</h2>\n")
    if not exp:
        w("<p class='hint'>This lab has no expect: section.</p>\n")
    w("<table id='expectations'><thead><tr><th>from</th><th>to</th><th>expect</th>")
    for n in names:
        w(f"<th>{_e(n)}</th>")
    w("<th>result</th><th>why</th></tr></thead>\n<tbody>\n")
    for i, row in enumerate(exp):
        e = row.expectation
        w(
            f"<tr tabindex='0' data-i='{i}' data-from='{_e(e.from_)}' data-to='{_e(e.to)}' data-passed='{str(row.passed).lower()}'>"
        )
        w(f"<td>{_e(e.from_)}</td><td>{_e(e.to)}</td><td>{'reach' if e.reach else 'no reach'}</td>")
        for n in names:
            o = row.outcomes[n]
            txt = "skipped" if o.skipped else {True: "reach", False: "no reach", None: "partial"}[o.reached]
            w(f"<td title='{_e(o.skipped or '')}'>{_e(txt)}</td>")
        w(
            f"<td class='{'pass' if row.passed else 'fail'}'>{'PASS' if row.passed else 'FAIL'}</td><td>{_e(e.why or '')}</td></tr>\n"
        )
    w("</tbody></table>\n</section>\n</div>\n")

    w("<section id='trace-sec' aria-labelledby='trace-title'>\n<h2 id='trace-title'>Trace</h2>\n")
    w(
        "<pre id='trace' aria-live='polite'>Click a matrix cell or an expectation (or press Enter on one) to see the probe's path: "
        "every hop, highlighted on the drawing, and the drop with its rule.</pre>\n</section>\n</main>\n"
    )
    w(f"<script type='application/json' id='vnetlab-data'>{_json_block(doc)}</script>\n")
    w(f"<script>{JS}</script>\n")
    w(_traces_block(tdoc))
    w("</body>\n</html>\n")
    return "".join(out)
