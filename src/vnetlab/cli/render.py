"""Everything the CLI prints: issue lines, JSON documents, rich tables."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape as _markup_escape

from ..errors import Issue

# Off a terminal (pipes, CI logs) rich would assume 80 columns and crush wide tables.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)


#: C0 and C1 control characters (ESC, CR, BEL, backspace, CSI, ...), DEL, and the
#: Unicode controls that reorder or hide text (bidi overrides and isolates, zero-width)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape_char(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def safe(text: object, *, keep_newlines: bool = False) -> str:
    """A string from a lab file or the machine (names, why:, error messages), as
    printable text: every control character becomes a visible escape (\\x1b),
    so no lab can move the cursor, recolour or rewrite the user's terminal."""
    s = str(text)
    if keep_newlines:
        return "\n".join(_UNSAFE.sub(_escape_char, part) for part in s.split("\n"))
    return _UNSAFE.sub(_escape_char, s)


def cell(text: object) -> str:
    """``safe`` for a rich table cell or title: also no markup from the lab ([red], [/])."""
    return _markup_escape(safe(text))


def say(line: object = "", *, to_stderr: bool = False) -> None:
    """Print one line made of fixed text and lab strings, escaped (see ``safe``)."""
    print(safe(line), file=sys.stderr if to_stderr else sys.stdout)


def issues(items: list[Issue], *, to_stderr: bool = False) -> None:
    for i in items:
        say(i, to_stderr=to_stderr)


def issues_json(file: str, items: list[Issue]) -> None:
    doc = {
        "file": file,
        "valid": not items,
        "issues": [{"line": i.line, "col": i.col, "rule": i.rule, "message": i.message} for i in items],
    }
    json_doc(doc)


def json_doc(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")


def error(message: str) -> None:
    message = safe(message, keep_newlines=True)
    err.print(f"[bold red]error:[/] {_markup_escape(message)}", markup=True) if sys.stderr.isatty() else print(
        f"error: {message}", file=sys.stderr
    )


def matrix(m: dict[str, Any]) -> None:
    from rich.table import Table

    targets = m["targets"]
    t = Table(
        title=cell(f"lab {m['lab']} — backend {m['backend']} — {m['elapsed_s']:.3f}s"),
        show_lines=False,
        header_style="bold",
    )
    t.add_column("from \\ to", style="bold")
    for tg in targets:
        t.add_column(f"{cell(tg['node'])}\n{cell(tg['address'])}", justify="center")
    for src, row in m["rows"].items():
        t.add_row(cell(src), *("[green]✔[/]" if row[tg["address"]] else "[red]✘[/]" for tg in targets))
    out.print(t)


_QUIET = {
    "ip-otherhost",
    "arp-otherhost",
    "macvlan-mode-mask",
    "macvlan-private-broadcast",
    "macvlan-source-no-broadcast",
}


def trace(sim: Any, result: Any, verbose: bool) -> None:
    """Print one traced probe: the hops, then the verdict and the drops that decided it."""
    owner = {t.address: t.node for t in sim.targets}
    ends = {result.src, owner.get(result.dst, "")}

    def relevant(h: Any) -> bool:
        node = h.device.split("/")[0]
        return node in ends or h.rule not in _QUIET

    say(f"trace {result.src} -> {result.dst} (lab {sim.r.lab.lab}, simulator, cold caches)")
    for h in result.hops:
        if verbose or ((h.verdict not in ("drop", "ignore") or relevant(h)) and h.verdict != "ignore"):
            for line in str(h).split("\n"):  # a hop's own lines; anything else in them is escaped
                say(line)
    from ..sim.trace import rank_causes

    drops = [h for h in result.hops if (h.verdict == "drop" and relevant(h)) or h.verdict in ("return", "miss")]
    drops = rank_causes(drops, result.src, owner.get(result.dst, ""), result.dst)
    if result.ok:
        say(f"=> reachable: {result.dst} answered")
    else:
        say(f"=> unreachable: no echo reply from {result.dst}")
        seen = set()
        for h in drops:
            key = (h.device, h.rule)
            if key not in seen:
                seen.add(key)
                say(f"   because {h.device}: {h.why}" + (f" [{h.rule}; {h.func}]" if h.rule else ""))


def plan(r: Any, steps: list[Any]) -> None:
    """Steps grouped per namespace, in execution order within each."""
    groups: dict[str, list[Any]] = {}
    for s in steps:
        groups.setdefault(s.ns, []).append(s)
    for ns, ss in groups.items():
        what = "switch" if ns in r.lab.switches else "node"
        say(f"{what} {ns} (netns {r.netns(ns)}):")
        for s in ss:
            say(f"  {s.describe()}")
    print(f"{len(steps)} steps", file=sys.stderr)


def status(st: dict[str, list[dict[str, Any]]]) -> None:
    from rich.table import Table

    for node, links in st.items():
        t = Table(title=cell(node), title_justify="left", header_style="bold")
        for col in ("interface", "kind", "mode", "parent", "master", "state", "carrier", "addresses"):
            t.add_column(col)
        for ln in links:
            t.add_row(
                *(cell(ln[k] or "") for k in ("interface", "kind", "mode", "parent", "master", "state")),
                "yes" if ln["carrier"] else "no",
                cell(" ".join(ln["addresses"])),
            )
        out.print(t)


def expectations_multi(rows: list[Any], names: list[str]) -> None:
    from rich.table import Table

    t = Table(header_style="bold")
    for col in ("from", "to", "expect", *names, "", "why"):
        t.add_column(col)

    def verdict(o: Any) -> str:
        if o.skipped:
            return "[dim]skipped[/]"
        return {True: "reach", False: "no reach", None: "partial"}[o.reached]

    for e, outs, ok in rows:
        t.add_row(
            cell(e.from_),
            cell(e.to),
            "reach" if e.reach else "no reach",
            *(verdict(outs[n]) for n in names),
            "[green]PASS[/]" if ok else "[red]FAIL[/]",
            cell(e.why or ""),
        )
    out.print(t)


def diff(sim_m: dict[str, Any], ker_m: dict[str, Any], cells: list[dict[str, Any]], skip: set[str]) -> None:
    from rich.table import Table

    targets = [tg for tg in sim_m["targets"] if tg["address"] not in skip]
    idx = {(c["from"], c["to"]): c for c in cells}
    t = Table(
        title=f"lab {cell(sim_m['lab'])}: simulator vs kernel (✔/✘ agree; [red]S✔K✘[/] or [red]S✘K✔[/] disagree)",
        header_style="bold",
    )
    t.add_column("from \\ to", style="bold")
    for tg in targets:
        t.add_column(f"{cell(tg['node'])}\n{cell(tg['address'])}", justify="center")
    for src in ker_m["rows"]:
        if not any(c["from"] == src for c in cells):
            continue
        cellsrow = []
        for tg in targets:
            c = idx[(src, tg["address"])]
            if c["agree"]:
                cellsrow.append("[green]✔[/]" if c["sim"] else "✘")
            else:
                cellsrow.append(f"[bold red]S{'✔' if c['sim'] else '✘'}K{'✔' if c['kernel'] else '✘'}[/]")
        t.add_row(cell(src), *cellsrow)
    out.print(t)
