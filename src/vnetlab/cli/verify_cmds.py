"""The verification commands: ping, matrix, trace, test, diff, capture.

Each parses its arguments, calls the library (vnetlab.backends,
vnetlab.verify), renders, and exits 1 when a check failed.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from . import render
from .main import BACKEND, JSON, LAB_ARG, STEP, PathArg, _resolved, cli, errors_to_exit
from .startup import importing

if TYPE_CHECKING:
    from pathlib import Path


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
    not flush neighbour caches first: it shows the lab as it is now (on the
    kernel: the running lab, or a fresh sandbox if it is not up). Exit 0 if
    every address answered within one second, 1 if not. `trace` explains why.
    """
    from ..backends import open_backend

    b = open_backend(_resolved(lab), backend)
    res = b.probe(src, b.resolve_dst(dst), flush=False)
    if as_json:
        render.json_doc({"lab": b.r.lab.lab, "backend": backend, "src": src, "results": res})
    else:
        for d, ok in res.items():
            render.say(f"{src} -> {d}: {'reply' if ok else 'no reply'}")
    sys.exit(0 if all(res.values()) else 1)


PROTO = click.option(
    "--proto",
    type=click.Choice(["icmp", "tcp", "udp"]),
    default="icmp",
    show_default=True,
    help="What a probe is: an echo request, a TCP connection or a UDP datagram (with --port).",
)
PORT = click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="The TCP or UDP port probed (with --proto tcp|udp)."
)


def _check_port(proto: str, port: int | None) -> None:
    from ..errors import InputError

    if proto == "icmp" and port is not None:
        raise InputError("--port needs --proto tcp or udp")
    if proto != "icmp" and port is None:
        raise InputError(f"--proto {proto} needs --port N")


@cli.command()
@LAB_ARG
@BACKEND
@STEP
@JSON
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Simulator: measure the rows in this many processes (the same matrix, cell for cell).",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    default=None,
    help="Simulator: measure the rows on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786).",
)
@PROTO
@PORT
@errors_to_exit
def matrix(
    lab: Path,
    backend: str,
    step: str | None,
    as_json: bool,
    workers: int,
    cluster: str | None,
    proto: str,
    port: int | None,
) -> None:
    """All-pairs reachability: rows are nodes and guests, columns every IPv4 address.

    Every row is measured from cold neighbour caches (dynamic entries of all
    nodes are flushed first; static ones stay), so rows do not depend on one
    another and both backends measure the same thing. On the kernel, a lab
    that is not up is built in a throw-away sandbox and removed afterwards,
    and a probe without reply is repeated (cold again, twice at most) before
    it counts as "no reach". An address several nodes own is one column
    naming all of them; its cells name the owner that replied.

    With --proto tcp|udp --port N every cell is a TCP connection or a UDP
    datagram to port N instead of an echo request; every node listens on it.
    """
    from ..backends import open_backend

    _check_port(proto, port)
    if workers > 1 or cluster is not None:
        from ..errors import InputError

        if proto != "icmp":
            raise InputError("--workers and --cluster measure echo requests only; a port matrix runs serially")
        if backend != "sim":
            raise InputError("--workers and --cluster measure the simulator's rows; the kernel's run in one sandbox")
        from ..sim import SimCannot, sim_unsupported
        from ..verify.matrix import measure_parallel

        r = _resolved(lab, step)
        if why := sim_unsupported(r.lab):
            raise SimCannot(why)
        m = measure_parallel(r, workers=workers, cluster=cluster)
    else:
        m = open_backend(_resolved(lab, step), backend).matrix(proto, port)
    if as_json:
        for piece in m.json_pieces(render.json_text):  # render.json_doc's text
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    else:
        render.matrix(m)
        render.retried(m)


@cli.command()
@LAB_ARG
@click.argument("src")
@click.argument("dst")
@JSON
@STEP
@click.option("-v", "--verbose", is_flag=True, help="Show every hop, also the copies that went nowhere.")
@PROTO
@PORT
@errors_to_exit
def trace(
    lab: Path, src: str, dst: str, as_json: bool, step: str | None, verbose: bool, proto: str, port: int | None
) -> None:
    """The path of one ping in the simulator, hop by hop.

    Every hop shows the device, the direction and the verdict; every drop names
    the rule and the kernel function it mirrors. The probe starts from cold
    caches, like a row of `matrix`, so it explains that cell.
    """
    with importing():
        from ..sim import Simulator
        from ..verify.trace import trace as trace_of

    _check_port(proto, port)
    sim = Simulator(_resolved(lab, step))
    t = trace_of(sim, src, dst, proto, port)
    if as_json:
        render.json_doc({"lab": sim.r.lab.lab, "src": src, "traces": [p.as_json() for p in t.paths]})
    else:
        render.trace(sim.r.lab.lab, t, verbose)
    sys.exit(0 if t.reached else 1)


@cli.command()
@LAB_ARG
@click.option(
    "--backend",
    type=click.Choice(["sim", "kernel", "both"]),
    default="sim",
    show_default=True,
    help="Where to check the expectations; both also fails when the backends disagree.",
)
@JSON
@errors_to_exit
def test(lab: Path, backend: str, as_json: bool) -> None:
    """Check the lab's `expect:` section; exit 1 if any expectation fails.

    `reach: true` holds when every IPv4 address of the target answers,
    `reach: false` when none does. With --backend both, a disagreement
    between the simulator and the kernel is a failure too.
    """
    from ..backends import open_backend
    from ..verify.compare import agreement

    r = _resolved(lab)
    if r.lab.steps:
        return _test_steps(r.lab, backend, as_json)
    names = ["sim", "kernel"] if backend == "both" else [backend]
    backends = {n: open_backend(r, n) for n in names}
    rows = agreement(r.lab.expect, {n: b.evaluate(r.lab.expect) for n, b in backends.items()})
    problems = [p for b in backends.values() if (p := b.lab_problem())]  # the lab itself is not as written
    failed = sum(not a.ok for a in rows)
    if as_json:
        render.json_doc(
            {
                "lab": r.lab.lab,
                "backend": backend,
                "passed": failed == 0 and not problems,
                "problems": problems,
                "expectations": [a.as_json() for a in rows],
            }
        )
    else:
        render.expectations_multi([(a.expectation, a.outcomes, a.ok) for a in rows], names)
        skipped = sum(a.skipped for a in rows)
        print(
            f"{len(rows) - failed} passed, {failed} failed"
            + (f" ({skipped} not checkable on every backend)" if skipped else ""),
            file=sys.stderr,
        )
        for p in problems:
            render.error(p)
    if failed or problems:
        sys.exit(1)


def _test_steps(lab: Any, backend: str, as_json: bool) -> None:
    """`test` of a lab with steps: the expectations of the lab as written, then of each step."""
    from .. import steps
    from ..errors import printable

    names = ["sim", "kernel"] if backend == "both" else [backend]
    if backend != "sim":
        print(
            "kernel: one lab, changed in place by each step as `up` applies a changed file "
            "(only what the step changes is touched)",
            file=sys.stderr,
        )
    per_step = steps.test_rows(lab, backend)
    changes = steps.CHANGES if backend != "sim" else []
    failed = sum(not a.ok for _, rows in per_step for a in rows)
    if as_json:
        render.json_doc(
            {
                "lab": lab.lab,
                "backend": backend,
                "passed": failed == 0,
                "problems": [],
                "expectations": [a.as_json() for a in per_step[0][1]],
                "steps": [
                    {
                        "name": name,
                        "passed": all(a.ok for a in rows),
                        "expectations": [a.as_json() for a in rows],
                        **({"kernel_changes": changes[i + 1]} if len(changes) == len(per_step) else {}),
                    }
                    for i, (name, rows) in enumerate(per_step[1:])
                ],
            }
        )
    else:
        total = 0
        for i, (name, rows) in enumerate(per_step):
            render.say(f"== {'the lab as written' if name is None else 'step ' + printable(name)}")
            if name is not None and len(changes) == len(per_step):
                real = [c for c in changes[i] if c["action"] != "refresh"]
                render.say(
                    f"   kernel, in place: {'; '.join(c['node'] + ': ' + c['text'] for c in real) or 'nothing to change'}"
                )
            render.expectations_multi([(a.expectation, a.outcomes, a.ok) for a in rows], names)
            total += len(rows)
        print(f"{total - failed} passed, {failed} failed ({len(per_step) - 1} steps)", file=sys.stderr)
    if failed:
        sys.exit(1)


@cli.command()
@LAB_ARG
@STEP
@JSON
@PROTO
@PORT
@errors_to_exit
def diff(lab: Path, step: str | None, as_json: bool, proto: str, port: int | None) -> None:
    """Matrices of both backends side by side; exit 1 if any cell disagrees.

    The kernel is the judge: every disagreement comes with the simulator's
    trace of that probe, so the wrong rule is one look away. Guests are rows
    and columns on both; a cell the kernel cannot judge (a guest whose daemon
    is not running) is left out. For an address several nodes own, the two
    must also agree on which one replied.
    """
    from ..backends import open_backend
    from ..sim import Simulator
    from ..verify.compare import cells
    from ..verify.trace import trace as trace_of

    _check_port(proto, port)
    r = _resolved(lab, step)
    sim_m = open_backend(r, "sim").matrix(proto, port)
    ker_m = open_backend(r, "kernel").matrix(proto, port)
    all_cells = cells(sim_m, ker_m)
    bad = [c for c in all_cells if not c.agree]
    sim = Simulator(r)
    traces = {c: trace_of(sim, c.src, c.address, proto, port) for c in bad}
    if as_json:
        render.json_doc(
            {
                "lab": r.lab.lab,
                "agree": not bad,
                "cells": [c.as_json() for c in all_cells],
                "disagreements": [{**c.as_json(), "trace": [h.as_dict() for h in traces[c].hops]} for c in bad],
                "kernel_retried": ker_m.retried,
            }
        )
    else:
        render.diff(sim_m, ker_m, all_cells)
        render.retried(ker_m)
        for c in bad:
            said = {True: "reach", False: "no reach"}
            render.say()
            render.say(
                f"simulator trace of {c.src} -> {c.address} (sim says {said[c.a]}"
                + (f" from {c.a_by}" if c.a_by else "")
                + f", kernel says {said[c.b]}"
                + (f" from {c.b_by}" if c.b_by else "")
                + "):"
            )
            for h in traces[c].hops:
                render.say(
                    f"  {h.seq:4d} {h.device:<20} {h.direction:<6} {h.verdict:<7} {h.why or h.frame}"
                    + (f" [{h.rule}; {h.func}]" if h.rule else "")
                )
        render.say(f"{len(all_cells) - len(bad)} cells agree, {len(bad)} disagree", to_stderr=True)
    if bad:
        sys.exit(1)


@cli.command()
@LAB_ARG
@click.argument("interfaces", nargs=-1, required=True, metavar="NODE/IFNAME...")
@click.option(
    "-w",
    "--write",
    "out",
    type=PathArg(dir_okay=False),
    required=True,
    help="pcap file to write (with several interfaces: one file each, NODE-IFNAME inserted before the suffix).",
)
@click.option("--from", "src", help="sim: the node or guest that pings during the capture.")
@click.option("--to", "dst", help="sim: what it pings (node, guest or address).")
@click.option("-c", "--count", type=int, default=100, show_default=True, help="kernel: stop after this many frames.")
@click.option("--duration", type=float, default=10.0, show_default=True, help="kernel: stop after this many seconds.")
@BACKEND
@errors_to_exit
def capture(
    lab: Path,
    interfaces: tuple[str, ...],
    out: Path,
    src: str | None,
    dst: str | None,
    count: int,
    duration: float,
    backend: str,
) -> None:
    """Frames seen at interfaces, written as pcap (read it with tcpdump -r).

    sim: the frames sent and received at each interface during one ping from
    --from to --to, from cold caches. kernel: on a running lab, with an
    AF_PACKET socket in the node's namespace, bounded by --count and --duration.

    \b
    vnetlab capture labs/macvlan-modes.yaml vepa/eth0 --from v1 --to v2 -w v.pcap
    """
    from ..errors import InputError

    r = _resolved(lab)
    if backend == "kernel":
        from ..kernel.capture import capture_live

        if len(interfaces) != 1:
            raise InputError("on the kernel, capture one interface at a time")
        n = capture_live(r, interfaces[0], out, count, duration)
        render.say(f"{out}: {n} frames at {interfaces[0]}", to_stderr=True)
        return
    from ..sim import Simulator
    from ..sim.pcap import write_pcap

    sim = Simulator(r)
    if not src or not dst:
        raise InputError("the simulator captures during a ping: give --from SRC and --to DST")
    with sim.capture(*interfaces) as caps:
        results = sim.ping(src, dst, flush=True)
    for label in interfaces:
        path = out if len(interfaces) == 1 else out.with_name(f"{out.stem}-{label.replace('/', '-')}{out.suffix}")
        n = write_pcap(path, caps[label])
        render.say(f"{path}: {n} frames at {label}", to_stderr=True)
    for res in results:
        render.say(f"{src} -> {res.dst}: {'reply' if res.ok else 'no reply'}", to_stderr=True)
