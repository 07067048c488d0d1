"""`vnetlab view`: write the lab as one self-contained HTML page."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from .main import LAB_ARG, PathArg, _resolved, errors_to_exit

if TYPE_CHECKING:
    from pathlib import Path


def _progress() -> Any:
    """Traces done so far, on stderr when it is a terminal (a big lab's traces take minutes)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if done == total or done % 100 == 0:
            print(f"\rtraces: {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    return show


@click.command()
@LAB_ARG
@click.option(
    "-o",
    "--output",
    type=PathArg(dir_okay=False),
    help="The HTML file to write (default: the lab file's name with .html, in the current directory).",
)
@click.option(
    "--backend",
    type=click.Choice(["sim", "kernel", "both"]),
    default="sim",
    show_default=True,
    help="Whose matrix and expectations the page shows; both marks the cells where they disagree.",
)
@click.option(
    "--traces",
    type=click.Choice(["all", "failing"]),
    default="all",
    show_default=True,
    help="Which probes' traces the page holds: every cell's, or only those of unreachable cells, disagreements "
    "and expectations (a quicker page for a big lab: a 200-node star has 40000 probes).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes computing the traces (0: one per CPU).",
)
@click.option(
    "--step",
    metavar="NAME",
    help="Show the lab as it stands after the step of that name (its `steps:`), with that step's expectations.",
)
@errors_to_exit
def view(lab: Path, output: Path | None, backend: str, traces: str, jobs: int, step: str | None) -> None:
    """Write one HTML page of the lab: drawing, matrix, expectations, traces.

    The page is a single file with everything inline (no network needed to
    open it): the topology coloured by broadcast domain (hover for every
    attribute; zoom and pan), the reachability matrix and the expectations.
    Clicking a cell or an expectation, or pressing Enter on it, shows the
    simulator's trace of that probe and highlights its path on the drawing.

    \b
    vnetlab view labs/macvlan-modes.yaml -o mvmodes.html
    """
    from pathlib import Path

    from ..view import build_page

    r = _resolved(lab, step)
    out = output if output is not None else Path(lab.stem + ".html")
    page, st = build_page(
        r, file_label=str(lab), backend=backend, traces=traces, progress=_progress(), jobs=jobs, step=step
    )
    out.write_text(page, encoding="utf-8")
    print(
        f"wrote {out} ({st.size / 1e6:.2f} MB: {st.cells} probes, {st.traced} traced, drawn by {st.engine}, "
        f"{st.seconds['total']:.2f} s)",
        file=sys.stderr,
    )
