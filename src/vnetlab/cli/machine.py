"""The command line of a real machine: `import --host/--pid/--containers`
and `attach NAME PID` (registered by cli/main.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from . import render

if TYPE_CHECKING:
    from pathlib import Path


def machine_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The `import` options that read a real machine (passed on as keyword arguments)."""
    opts = [
        click.option(
            "--host",
            is_flag=True,
            help="Also read the machine's own network namespace (that of PID 1 in this PID namespace) as node `host`.",
        ),
        click.option(
            "--pid", "pids", type=int, multiple=True, help="Read the network namespace of this process (repeatable)."
        ),
        click.option(
            "--containers",
            is_flag=True,
            help="Read every network namespace some process holds other than the machine's, one node each.",
        ),
        click.option(
            "--uplink",
            "uplinks",
            multiple=True,
            help="With --host: this interface is a physical NIC (one without a bus, e.g. a veth to the real switch).",
        ),
    ]
    for o in reversed(opts):
        fn = o(fn)
    return fn


def import_machine(
    names: list[str],
    lab_name: str | None,
    output: Path | None,
    host: bool,
    pids: tuple[int, ...],
    containers: bool,
    uplinks: tuple[str, ...],
) -> None:
    from ..kernel import machine
    from ..kernel.importer import check_names
    from ..load import load_text

    if names:
        check_names(names)
    m = machine.plan(names, host, list(pids), containers, uplinks)
    text = machine.to_lab(m, lab_name)
    load_text(text, "<imported>")  # what we write must validate
    n = len(m.keys()) - len(m.gone)
    if output is not None:
        output.write_text(text)
        render.say(f"wrote {output} ({n} namespaces)", to_stderr=True)
    else:
        sys.stdout.write(text)


@click.command()
@click.argument("name")
@click.argument("pid", type=int)
def attach(name: str, pid: int) -> None:
    """Name the network namespace of process PID (like `ip netns attach NAME PID`).

    It becomes /run/netns/NAME, so `ip netns exec NAME`, `vnetlab import
    --netns NAME` and `nsenter` find it. An existing name is refused.
    """
    from ..kernel import machine
    from .main import errors_to_exit

    def run() -> None:
        p = machine.attach(name, pid)
        render.say(f"{p}: the network namespace of process {pid}")

    errors_to_exit(run)()


def attached(name: str, node: str) -> str | None:
    """/run/netns/NAME-NODE where it is a network namespace that is no lab's
    (one `vnetlab attach` or `ip netns attach` named), for `vnetlab exec NAME NODE`."""
    from ..errors import VnetlabError
    from ..kernel import nsutil, owner
    from ..kernel.importer import check_names
    from ..model.derive import netns_name

    ns = netns_name(name, node)
    try:
        check_names([ns])
    except VnetlabError:
        return None
    alias = owner._lo_alias(ns)
    return None if alias and alias.startswith("vnetlab:") else nsutil.path(ns)
