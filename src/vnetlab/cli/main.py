"""`vnetlab` commands: parse → call one library function → render → exit code.

The contract is shared/spec/cli.md (copied to docs/cli.md). Commands that are
not built yet are registered with their real help and exit 2 saying so;
nothing pretends to work.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import __version__
from ..errors import EnvironmentProblem, InputError, LabInvalid, NotImplementedYet, VnetlabError
from ..load import load_file
from ..resolve import resolve
from . import render

F = TypeVar("F", bound=Callable[..., Any])

LAB_ARG = click.argument("lab", metavar="LAB", type=click.Path(dir_okay=False, path_type=Path))
BACKEND = click.option(
    "--backend",
    type=click.Choice(["sim", "kernel"]),
    default="sim",
    show_default=True,
    help="sim: pure-Python simulator, no privileges; kernel: real devices through netlink (root).",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout and nothing else there.")


def errors_to_exit(fn: F) -> F:
    """Map the error tree to exit codes; never show a traceback for them."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LabInvalid as e:
            render.issues(e.issues, to_stderr=True)
            n = len(e.issues)
            print(f"{n} problem{'s' if n != 1 else ''}; nothing was changed.", file=sys.stderr)
            sys.exit(e.exit_code)
        except VnetlabError as e:
            render.error(str(e))
            sys.exit(e.exit_code)

    return wrapper  # type: ignore[return-value]


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # the order of cli.md, not alphabetical


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="vnetlab")
def cli() -> None:
    """Declarative, testable, explainable Linux virtual networks.

    A lab is one YAML file (nodes = network namespaces, their veth, bridge,
    tap, macvlan, macvtap, ipvlan, vlan and vxlan devices, external switches,
    and the reachability you expect). Run it on the simulator (no root) or on
    the real kernel, and ask why two nodes cannot talk.

    \b
    Start here:
      vnetlab validate labs/macvlan-modes.yaml
      vnetlab export labs/macvlan-modes.yaml --format dot --svg lab.svg

    Exit codes: 0 ok, 1 a check failed, 2 bad input, 3 this machine cannot do it.
    """


@cli.command()
@LAB_ARG
@JSON
@errors_to_exit
def validate(lab: Path, as_json: bool) -> None:
    """Check a lab file without touching the system.

    Every problem is printed as LAB:LINE:COL: message [rule-id], all of them
    at once (unknown keys, wrong types, unresolved references, two receive
    handlers on one device, duplicate MACs in a broadcast domain, ...).
    Exit 0 when the lab is valid, 2 otherwise.
    """
    try:
        loaded = load_file(lab)
    except LabInvalid as e:
        if as_json:
            render.issues_json(str(lab), e.issues)
        else:
            render.issues(e.issues)
            n = len(e.issues)
            print(f"{lab}: {n} problem{'s' if n != 1 else ''}", file=sys.stderr)
        sys.exit(2)
    if as_json:
        render.issues_json(str(lab), [])
    else:
        r = loaded.lab
        n_if = sum(len(n.interfaces) for n in r.nodes.values())
        print(
            f"{lab}: valid (lab {r.lab}: {len(r.nodes)} nodes, {len(r.switches)} switches, {n_if} interfaces, {len(r.expect)} expectations)"
        )


def _not_yet(name: str, issue: str) -> None:
    raise NotImplementedYet(f"'vnetlab {name}' is not implemented yet ({issue}); nothing was done")


@cli.command()
@LAB_ARG
@errors_to_exit
def up(lab: Path) -> None:
    """Create the lab on the real kernel (root).

    Idempotent: a second run of the same file changes nothing; a changed
    file is applied as a difference. On any failure everything this run
    created is undone, and the error names the step and the kernel's answer.
    """
    load_file(lab)
    _not_yet("up", "kernel backend")


@cli.command()
@LAB_ARG
@JSON
@errors_to_exit
def plan(lab: Path, as_json: bool) -> None:
    """Show what `up` would create, change and delete, grouped per node, without doing it."""
    load_file(lab)
    _not_yet("plan", "kernel backend")


@cli.command()
@click.argument("lab_or_name", metavar="LAB|NAME")
@errors_to_exit
def down(lab_or_name: str) -> None:
    """Remove everything a lab created, found from live state (also after a crash).

    Only objects marked as the lab's are touched. Removing a lab that is not
    there is not an error.
    """
    _not_yet("down", "kernel backend")


@cli.command(name="list")
@JSON
@errors_to_exit
def list_(as_json: bool) -> None:
    """Labs running on this machine's kernel."""
    _not_yet("list", "kernel backend")


@cli.command()
@click.argument("name", required=False)
@JSON
@errors_to_exit
def status(name: str | None, as_json: bool) -> None:
    """Per node of a running lab: interface, kind, mode, parent, master, state, carrier, addresses."""
    _not_yet("status", "kernel backend")


@cli.command(name="exec", context_settings={"ignore_unknown_options": True})
@click.argument("name")
@click.argument("node")
@click.argument("cmd", nargs=-1, required=True, type=click.UNPROCESSED)
@errors_to_exit
def exec_(name: str, node: str, cmd: tuple[str, ...]) -> None:
    """Run a command inside a node of a running lab (like `ip netns exec`).

    Example: vnetlab exec mvmodes b1 -- ip -br addr
    """
    _not_yet("exec", "kernel backend")


def _sim(lab: Path, backend: str) -> Any:
    loaded = load_file(lab)
    if backend != "sim":
        _not_yet(f"--backend {backend}", "kernel backend")
    from ..sim import Simulator

    return Simulator(loaded.lab)


@cli.command()
@LAB_ARG
@click.argument("src")
@click.argument("dst")
@BACKEND
@JSON
@errors_to_exit
def ping(lab: Path, src: str, dst: str, backend: str, as_json: bool) -> None:
    """One reachability probe from SRC (node or guest) to DST (node, guest or address).

    DST as a node pings each of its IPv4 addresses. Unlike `matrix`, it does
    not flush neighbour caches first: it shows the lab as it is now. Exit 0 if
    every address answered within one second, 1 if not. `trace` explains why.
    """
    sim = _sim(lab, backend)
    results = sim.ping(src, dst)
    ok = all(r.ok for r in results)
    if as_json:
        render.json_doc(
            {"lab": sim.r.lab.lab, "backend": backend, "src": src, "results": {r.dst: r.ok for r in results}}
        )
    else:
        for r in results:
            print(f"{src} -> {r.dst}: {'reply' if r.ok else 'no reply'}")
    sys.exit(0 if ok else 1)


@cli.command()
@LAB_ARG
@BACKEND
@JSON
@errors_to_exit
def matrix(lab: Path, backend: str, as_json: bool) -> None:
    """All-pairs reachability: rows are nodes and guests, columns every IPv4 address.

    Every row is measured from cold neighbour caches (dynamic entries of all
    nodes are flushed first; static ones stay), so rows do not depend on one
    another and both backends measure the same thing.
    """
    sim = _sim(lab, backend)
    m = sim.matrix()
    if as_json:
        render.json_doc(m)
    else:
        render.matrix(m)


@cli.command()
@LAB_ARG
@click.argument("src")
@click.argument("dst")
@JSON
@click.option("-v", "--verbose", is_flag=True, help="Show every hop, also the copies that went nowhere.")
@errors_to_exit
def trace(lab: Path, src: str, dst: str, as_json: bool, verbose: bool) -> None:
    """The path of one ping in the simulator, hop by hop.

    Every hop shows the device, the direction and the verdict; every drop names
    the rule and the kernel function it mirrors. The probe starts from cold
    caches, like a row of `matrix`, so it explains that cell.
    """
    sim = _sim(lab, "sim")
    results = sim.ping(src, dst, flush=True)
    if as_json:
        render.json_doc(
            {
                "lab": sim.r.lab.lab,
                "src": src,
                "traces": [{"dst": r.dst, "reachable": r.ok, "hops": [h.as_dict() for h in r.hops]} for r in results],
            }
        )
    else:
        for r in results:
            render.trace(sim, r, verbose)
    sys.exit(0 if all(r.ok for r in results) else 1)


@cli.command()
@LAB_ARG
@click.option(
    "--backend",
    type=click.Choice(["sim", "kernel", "both"]),
    default="sim",
    show_default=True,
    help="Where to check the expectations.",
)
@JSON
@errors_to_exit
def test(lab: Path, backend: str, as_json: bool) -> None:
    """Check the lab's `expect:` section; exit 1 if any expectation fails.

    `reach: true` holds when every IPv4 address of the target answers,
    `reach: false` when none does.
    """
    sim = _sim(lab, backend)
    from ..verify.expect import evaluate

    outcomes = evaluate(sim, sim.r.lab.expect)
    failed = [o for o in outcomes if not o.passed]
    if as_json:
        render.json_doc(
            {
                "lab": sim.r.lab.lab,
                "backend": backend,
                "passed": not failed,
                "expectations": [o.as_dict() for o in outcomes],
            }
        )
    else:
        render.expectations(outcomes, backend)
        print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed", file=sys.stderr)
    if failed:
        sys.exit(1)


@cli.command()
@LAB_ARG
@JSON
@errors_to_exit
def diff(lab: Path, as_json: bool) -> None:
    """Matrices of both backends side by side; exit 1 if any cell disagrees.

    The kernel is the judge: every disagreement comes with the simulator's
    trace of that probe, so the wrong rule is one look away.
    """
    load_file(lab)
    _not_yet("diff", "verification")


@cli.command()
@LAB_ARG
@click.argument("interfaces", nargs=-1, required=True, metavar="NODE/IFNAME...")
@click.option(
    "-w",
    "--write",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="pcap file to write (with several interfaces: one file each, NODE-IFNAME inserted before the suffix).",
)
@click.option("--from", "src", help="sim: the node or guest that pings during the capture.")
@click.option("--to", "dst", help="sim: what it pings (node, guest or address).")
@BACKEND
@errors_to_exit
def capture(lab: Path, interfaces: tuple[str, ...], out: Path, src: str | None, dst: str | None, backend: str) -> None:
    """Frames seen at interfaces, written as pcap (read it with tcpdump -r).

    sim: the frames sent and received at each interface during one ping from
    --from to --to, from cold caches. kernel: on a running lab, bounded by
    count and duration.

    \b
    vnetlab capture labs/macvlan-modes.yaml vepa/eth0 --from v1 --to v2 -w v.pcap
    """
    sim = _sim(lab, backend)
    if not src or not dst:
        raise InputError("the simulator captures during a ping: give --from SRC and --to DST")
    from ..sim.pcap import write_pcap

    with sim.capture(*interfaces) as caps:
        results = sim.ping(src, dst, flush=True)
    for label in interfaces:
        path = out if len(interfaces) == 1 else out.with_name(f"{out.stem}-{label.replace('/', '-')}{out.suffix}")
        n = write_pcap(path, caps[label])
        print(f"{path}: {n} frames at {label}", file=sys.stderr)
    for r in results:
        print(f"{src} -> {r.dst}: {'reply' if r.ok else 'no reply'}", file=sys.stderr)


FORMATS = ["json", "dot", "ip", "libvirt", "networkd"]


@cli.command()
@LAB_ARG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="json: normalised lab with every default and derived value; dot: Graphviz diagram; ip, libvirt, networkd: configuration for other tools.",
)
@click.option(
    "--svg",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --format dot: also render the diagram to this SVG file with Graphviz's `dot`.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout."
)
@errors_to_exit
def export(lab: Path, fmt: str, svg: Path | None, output: Path | None) -> None:
    """Write the lab in another form.

    \b
    vnetlab export lab.yaml --format json         # what the backends see
    vnetlab export lab.yaml --format dot --svg lab.svg
    """
    if svg is not None and fmt != "dot":
        raise InputError("--svg goes with --format dot")
    r = resolve(load_file(lab).lab)
    if fmt == "json":
        from ..export.json import to_json

        text = to_json(r)
    elif fmt == "dot":
        from ..export.dot import to_dot

        text = to_dot(r)
        if svg is not None:
            _render_svg(text, svg)
    else:
        _not_yet(f"export --format {fmt}", "exports")
        return
    if output is not None:
        output.write_text(text)
    else:
        sys.stdout.write(text)


def _render_svg(dot_source: str, svg: Path) -> None:
    exe = shutil.which("dot")
    if exe is None:
        raise EnvironmentProblem("rendering SVG needs Graphviz's `dot` program (Debian package graphviz)")
    proc = subprocess.run([exe, "-Tsvg", "-o", str(svg)], input=dot_source.encode(), capture_output=True, check=False)
    if proc.returncode != 0:
        raise EnvironmentProblem(f"dot failed: {proc.stderr.decode(errors='replace').strip()}")
    print(f"wrote {svg}", file=sys.stderr)


@cli.command(name="import")
@click.option("--netns", "netns", multiple=True, help="Namespace to read (repeatable).")
@click.option("--all", "all_", is_flag=True, help="Read every named namespace.")
@errors_to_exit
def import_(netns: tuple[str, ...], all_: bool) -> None:
    """Read live kernel state back into a lab file that validates."""
    _not_yet("import", "exports and import")


def main() -> None:
    """Entry point of the console script and of `python -m vnetlab`."""
    if os.environ.get("VNETLAB_DEBUG"):
        cli()
        return
    try:
        cli(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as e:  # a bug of ours: say so briefly, without a traceback
        print(
            f"vnetlab: internal error: {type(e).__name__}: {e} (set VNETLAB_DEBUG=1 for the traceback)", file=sys.stderr
        )
        sys.exit(70)
