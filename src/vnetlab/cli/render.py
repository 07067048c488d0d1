"""Everything the CLI prints: issue lines, JSON documents, rich tables."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

from ..errors import Issue

out = Console(highlight=False, soft_wrap=True)
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


def matrix(m: dict[str, Any]) -> None:
    from rich.table import Table

    targets = m["targets"]
    t = Table(
        title=f"lab {m['lab']} — backend {m['backend']} — {m['elapsed_s']:.3f}s", show_lines=False, header_style="bold"
    )
    t.add_column("from \\ to", style="bold")
    for tg in targets:
        t.add_column(f"{tg['node']}\n{tg['address']}", justify="center")
    for src, row in m["rows"].items():
        t.add_row(src, *("[green]✔[/]" if row[tg["address"]] else "[red]✘[/]" for tg in targets))
    out.print(t)


def expectations(outcomes: list[Any], backend: str) -> None:
    from rich.table import Table

    t = Table(header_style="bold")
    for col in ("from", "to", "expect", backend, "", "why"):
        t.add_column(col)
    for o in outcomes:
        e = o.expectation
        got = {True: "reach", False: "no reach", None: "partial"}[o.reached]
        t.add_row(
            e.from_,
            e.to,
            "reach" if e.reach else "no reach",
            got,
            "[green]PASS[/]" if o.passed else "[red]FAIL[/]",
            e.why or "",
        )
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

    print(f"trace {result.src} -> {result.dst} (lab {sim.r.lab.lab}, simulator, cold caches)")
    for h in result.hops:
        if verbose or ((h.verdict not in ("drop", "ignore") or relevant(h)) and h.verdict != "ignore"):
            print(str(h))
    drops = [h for h in result.hops if (h.verdict == "drop" and relevant(h)) or h.verdict == "return"]
    if result.ok:
        print(f"=> reachable: {result.dst} answered")
    else:
        print(f"=> unreachable: no echo reply from {result.dst}")
        seen = set()
        for h in drops:
            key = (h.device, h.rule)
            if key not in seen:
                seen.add(key)
                print(f"   because {h.device}: {h.why}" + (f" [{h.rule}; {h.func}]" if h.rule else ""))
