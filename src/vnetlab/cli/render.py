"""Everything the CLI prints: issue lines, JSON documents, rich tables."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

from ..errors import Issue

# Off a terminal (pipes, CI logs) rich would assume 80 columns and crush wide tables.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def issues(items: list[Issue], *, to_stderr: bool = False) -> None:
    stream = sys.stderr if to_stderr else sys.stdout
    for i in items:
        print(str(i), file=stream)


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
    err.print(f"[bold red]error:[/] {message}", markup=True) if sys.stderr.isatty() else print(
        f"error: {message}", file=sys.stderr
    )


def _header(c: Any) -> str:
    """A column: its owners (every one of a duplicate address) over the address."""
    return f"{' / '.join(c.nodes)}\n{c.address}"


def matrix(m: Any) -> None:
    """A Matrix as a table; a duplicate address's cell names the owner that replied."""
    from rich.table import Table

    t = Table(title=f"lab {m.lab} — backend {m.backend} — {m.elapsed_s:.3f}s", show_lines=False, header_style="bold")
    t.add_column("from \\ to", style="bold")
    for c in m.columns:
        t.add_column(_header(c), justify="center")
    for src, row in m.rows.items():
        by = m.answered_by.get(src, {})
        t.add_row(
            src,
            *(
                ("[green]✔[/]" + (f" {by[c.address]}" if len(c.owners) > 1 else "")) if row[c.address] else "[red]✘[/]"
                for c in m.columns
            ),
        )
    out.print(t)


def retried(m: Any) -> None:
    """On stderr: the cells that answered only when probed again (a loaded machine)."""
    cells = [f"{s} -> {a} (retry {n})" for s, row in m.retried.items() for a, n in row.items()]
    if cells:
        print(f"answered only on a cold retry: {', '.join(cells)}", file=sys.stderr)


def trace(lab: str, t: Any, verbose: bool) -> None:
    """Print a Trace: per address the hops, then the verdict and the drops that decided it."""
    from ..verify.trace import relevant

    for p in t.paths:
        ends = set(p.ends)
        print(f"trace {t.src} -> {p.address} (lab {lab}, simulator, cold caches)")
        for h in p.hops:
            if verbose or ((h.verdict not in ("drop", "ignore") or relevant(h, ends)) and h.verdict != "ignore"):
                print(str(h))
        if p.reached:
            print(f"=> reachable: {p.address} answered")
        else:
            print(f"=> unreachable: no echo reply from {p.address}")
            for h in p.because:
                print(f"   because {h.device}: {h.why}" + (f" [{h.rule}; {h.func}]" if h.rule else ""))


def plan(r: Any, steps: list[Any]) -> None:
    """Steps grouped per namespace, in execution order within each."""
    groups: dict[str, list[Any]] = {}
    for s in steps:
        groups.setdefault(s.ns, []).append(s)
    for ns, ss in groups.items():
        what = "switch" if ns in r.lab.switches else "node"
        print(f"{what} {ns} (netns {r.netns(ns)}):")
        for s in ss:
            print(f"  {s.describe()}")
    print(f"{len(steps)} steps", file=sys.stderr)


def status(st: dict[str, list[dict[str, Any]]]) -> None:
    from rich.table import Table

    for node, links in st.items():
        t = Table(title=f"{node}", title_justify="left", header_style="bold")
        for col in ("interface", "kind", "mode", "parent", "master", "state", "carrier", "addresses"):
            t.add_column(col)
        for ln in links:
            t.add_row(
                ln["interface"],
                ln["kind"] or "",
                ln["mode"] or "",
                ln["parent"] or "",
                ln["master"] or "",
                ln["state"] or "",
                "yes" if ln["carrier"] else "no",
                " ".join(ln["addresses"]),
            )
        out.print(t)


def expectations_multi(rows: list[Any], names: list[str]) -> None:
    from rich.table import Table

    t = Table(header_style="bold")
    for col in ("from", "to", "expect", *names, "", "why"):
        t.add_column(col)

    def cell(o: Any) -> str:
        if o.skipped:
            return "[dim]skipped[/]"
        return {True: "reach", False: "no reach", None: "partial"}[o.reached]

    for e, outs, ok in rows:
        t.add_row(
            e.from_,
            e.to,
            "reach" if e.reach else "no reach",
            *(cell(outs[n]) for n in names),
            "[green]PASS[/]" if ok else "[red]FAIL[/]",
            e.why or "",
        )
    out.print(t)


def diff(sim_m: Any, ker_m: Any, cells: list[Any]) -> None:
    """The two matrices as one table: agreeing cells plain, disagreeing ones in red."""
    from rich.table import Table

    idx = {(c.src, c.address): c for c in cells}
    cols = [c for c in sim_m.columns if any(k[1] == c.address for k in idx)]
    t = Table(
        title=f"lab {sim_m.lab}: simulator vs kernel (✔/✘ agree; [red]S✔K✘[/] or [red]S✘K✔[/] disagree)",
        header_style="bold",
    )
    t.add_column("from \\ to", style="bold")
    for c in cols:
        t.add_column(_header(c), justify="center")
    for src in ker_m.rows:
        if not any(k[0] == src for k in idx):
            continue
        row = []
        for col in cols:
            c = idx.get((src, col.address))
            if c is None:
                row.append("[dim]-[/]")
            elif c.agree:
                row.append(("[green]✔[/]" + (f" {c.a_by}" if len(col.owners) > 1 else "")) if c.a else "✘")
            elif c.a == c.b:
                row.append(f"[bold red]S✔ {c.a_by} K✔ {c.b_by}[/]")
            else:
                row.append(f"[bold red]S{'✔' if c.a else '✘'}K{'✔' if c.b else '✘'}[/]")
        t.add_row(src, *row)
    out.print(t)
