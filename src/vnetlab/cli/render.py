"""Everything the CLI prints: issue lines, JSON documents, rich tables."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..errors import Issue

# rich is imported when a table or a coloured error is printed, not at start-up.


def __getattr__(name: str) -> Any:
    """``out`` and ``err``: the rich consoles, made on first use."""
    if name not in ("out", "err"):
        raise AttributeError(name)
    return _console(name)


def _console(name: str) -> Any:
    if name in globals():
        return globals()[name]
    from rich.console import Console

    if name == "out":  # off a terminal (pipes, CI logs) rich would assume 80 columns and crush wide tables
        c = Console(highlight=False, emoji=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
    else:
        c = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)
    globals()[name] = c
    return c


def _markup_escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


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
    sys.stdout.write(json_text(doc) + "\n")


def json_text(doc: Any) -> str:
    """``json.dumps(doc, indent=2)``, the same text: with ``indent`` the standard library
    uses its pure-Python encoder, a few seconds for a 1,000-node matrix (a million cells);
    this one writes a dict's or a list's scalar items with the C string encoder. Anything
    but str keys and str, bool, None, int and float values takes ``json.dumps`` itself."""
    import json

    try:
        return _indented(doc, "\n")
    except _NotPlain:
        return json.dumps(doc, indent=2)


class _NotPlain(Exception):
    """A value ``_indented`` leaves to ``json.dumps`` (a key that is not a string, a tuple, ...)."""


_SCALARS = frozenset({str, bool, int, float, type(None)})


def _indented(o: Any, nl: str) -> str:
    import json
    from json.encoder import encode_basestring_ascii as enc

    inner = nl + "  "
    if type(o) is dict:
        if not o:
            return "{}"
        if set(map(type, o)) == {str} and set(map(type, o.values())) <= _SCALARS:
            # the C encoder, its item separator carrying the newline and indent: the same text
            flat = json.dumps(o, separators=("," + inner, ": "))
            return "{" + inner + flat[1:-1] + nl + "}"
        parts = []
        for k, v in o.items():
            if type(k) is not str:
                raise _NotPlain
            if v is True:
                parts.append(enc(k) + ": true")
            elif v is False:
                parts.append(enc(k) + ": false")
            elif type(v) is str:
                parts.append(enc(k) + ": " + enc(v))
            else:
                parts.append(enc(k) + ": " + _indented(v, inner))
        return "{" + inner + ("," + inner).join(parts) + nl + "}"
    if type(o) is list:
        if not o:
            return "[]"
        return "[" + inner + ("," + inner).join([_indented(v, inner) for v in o]) + nl + "]"
    if type(o) is str:
        return enc(o)
    if o is None or type(o) in (bool, int, float):
        return json.dumps(o)
    raise _NotPlain


def error(message: str) -> None:
    message = safe(message, keep_newlines=True)
    _console("err").print(
        f"[bold red]error:[/] {_markup_escape(message)}", markup=True
    ) if sys.stderr.isatty() else print(f"error: {message}", file=sys.stderr)


def _header(c: Any) -> str:
    """A column: its owners (every one of a duplicate address) over the address."""
    return f"{cell(' / '.join(c.nodes))}\n{cell(c.address)}"


def matrix(m: Any) -> None:
    """A Matrix as a table; a duplicate address's cell names the owner that replied."""
    from rich.table import Table

    what = f" — {m.proto}/{m.port}" if getattr(m, "proto", "icmp") != "icmp" else ""
    t = Table(
        title=cell(f"lab {m.lab} — backend {m.backend}{what} — {m.elapsed_s:.3f}s"),
        show_lines=False,
        header_style="bold",
    )
    t.add_column("from \\ to", style="bold")
    for c in m.columns:
        t.add_column(_header(c), justify="center")
    for src, row in m.rows.items():
        by = m.answered_by.get(src, {})
        t.add_row(
            cell(src),
            *(
                # the answerer's name where it could be another node (a duplicate address, a DNAT)
                (
                    "[green]✔[/]"
                    + (
                        f" {cell(by[c.address])}"
                        if len(c.owners) > 1 or by.get(c.address, c.node) not in c.nodes
                        else ""
                    )
                )
                if row[c.address]
                else "[red]✘[/]"
                for c in m.columns
            ),
        )
    _console("out").print(t)


def retried(m: Any) -> None:
    """On stderr: the cells that answered only when probed again (a loaded machine)."""
    cells = [f"{s} -> {a} (retry {n})" for s, row in m.retried.items() for a, n in row.items()]
    if cells:
        say(f"answered only on a cold retry: {', '.join(cells)}", to_stderr=True)


def trace(lab: str, t: Any, verbose: bool) -> None:
    """Print a Trace: per address the hops, then the verdict and the drops that decided it."""
    from ..verify.trace import relevant

    for p in t.paths:
        ends = set(p.ends)
        say(f"trace {t.src} -> {p.address} (lab {lab}, simulator, cold caches)")
        for h in p.hops:
            if verbose or ((h.verdict not in ("drop", "ignore") or relevant(h, ends)) and h.verdict != "ignore"):
                for line in str(h).split("\n"):  # a hop's own lines; anything else in them is escaped
                    say(line)
        if p.reached:
            say(f"=> reachable: {p.address} answered")
        else:
            say(f"=> unreachable: no answer from {p.address}")
            for h in p.because:
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


def plan_diff(r: Any, changes: list[Any]) -> None:
    """A change from one lab to another, per node: create / change / delete, in the order
    `up` makes them (unchanged addresses, routes, neighbours and rulesets written again are counted)."""
    from ..plan.diff import summary

    groups: dict[str, list[Any]] = {}
    for c in changes:
        groups.setdefault(c.step.ns, []).append(c)
    for ns, cs in groups.items():
        shown = [c for c in cs if c.action != "refresh"]
        if not shown:
            continue
        what = "switch" if ns in r.lab.switches else "node"
        say(f"{what} {ns}:")
        for c in shown:
            say(f"  {c.action:<6} {c.describe()}")
    n = summary(changes)
    if not changes:
        say("no changes")
    print(
        f"{n['create']} to create, {n['change']} to change, {n['delete']} to delete"
        + (f" ({n['refresh']} unchanged addresses/routes/neighbours/rulesets written again)" if n["refresh"] else ""),
        file=sys.stderr,
    )


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
        _console("out").print(t)


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
            cell(e.to) + (f" {e.proto}/{e.port}" if e.proto != "icmp" else ""),
            ("reach" if e.reach else "no reach") + (f" by {cell(e.answered_by)}" if e.answered_by else ""),
            *(verdict(outs[n]) for n in names),
            "[green]PASS[/]" if ok else "[red]FAIL[/]",
            cell(e.why or ""),
        )
    _console("out").print(t)


def diff(sim_m: Any, ker_m: Any, cells: list[Any]) -> None:
    """The two matrices as one table: agreeing cells plain, disagreeing ones in red."""
    from rich.table import Table

    idx = {(c.src, c.address): c for c in cells}
    cols = [c for c in sim_m.columns if any(k[1] == c.address for k in idx)]
    t = Table(
        title=f"lab {cell(sim_m.lab)}: simulator vs kernel (✔/✘ agree; [red]S✔K✘[/] or [red]S✘K✔[/] disagree)",
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
                row.append(("[green]✔[/]" + (f" {cell(c.a_by)}" if len(col.owners) > 1 else "")) if c.a else "✘")
            elif c.a == c.b:
                row.append(f"[bold red]S✔ {cell(c.a_by)} K✔ {cell(c.b_by)}[/]")
            else:
                row.append(f"[bold red]S{'✔' if c.a else '✘'}K{'✔' if c.b else '✘'}[/]")
        t.add_row(cell(src), *row)
    _console("out").print(t)
