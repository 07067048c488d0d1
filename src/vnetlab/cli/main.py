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

from .. import __version__, _interrupt
from ..errors import EnvironmentProblem, InputError, LabInvalid, NotImplementedYet, VnetlabError
from . import machine as _machine
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
    from ..load import load_file

    try:
        loaded = load_file(lab)
    except LabInvalid as e:
        if as_json:
            render.issues_json(str(lab), e.issues)
        else:
            render.issues(e.issues)
            n = len(e.issues)
            render.say(f"{lab}: {n} problem{'s' if n != 1 else ''}", to_stderr=True)
        sys.exit(2)
    if as_json:
        render.issues_json(str(lab), [])
    else:
        r = loaded.lab
        n_if = sum(len(n.interfaces) for n in r.nodes.values())
        render.say(
            f"{lab}: valid (lab {r.lab}: {len(r.nodes)} nodes, {len(r.switches)} switches, {n_if} interfaces, {len(r.expect)} expectations)"
        )


def _not_yet(name: str, issue: str) -> None:
    raise NotImplementedYet(f"'vnetlab {name}' is not implemented yet ({issue}); nothing was done")


def _resolved(lab: Path) -> Any:
    from ..load import load_file
    from ..resolve import resolve

    return resolve(load_file(lab).lab)


def _kernel(lab: Path) -> Any:
    from ..kernel import KernelLab, preflight

    r = _resolved(lab)
    preflight.require_privileges()
    return KernelLab(r)


def _progress(label: str) -> Any:
    """A progress line on stderr for long work (only on a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            print(f"\r{label}: {done}/{total} steps", end="" if done < total else "\n", file=sys.stderr, flush=True)

    return show


@cli.command()
@LAB_ARG
@click.option(
    "--sandbox",
    is_flag=True,
    help="Bring it up in a throw-away sandbox, print its status, and remove it (a dry run on the real kernel).",
)
@click.option(
    "--external-guests",
    is_flag=True,
    help="Leave the guests' tap/macvtap devices to your own VMs (QEMU, libvirt: see `export --format libvirt`) "
    "instead of emulating them; `test` then checks what is expected of the guests against your VMs.",
)
@errors_to_exit
def up(lab: Path, sandbox: bool, external_guests: bool) -> None:
    """Create the lab on the real kernel (root).

    Each node and switch becomes a network namespace <lab>-<name>. Idempotent:
    a second run of the same file prints "no changes" and does nothing; a
    changed file recreates the lab. On any failure everything this run created
    is removed, and the error names the step and the kernel's answer (exit 3
    names a missing kernel option, e.g. CONFIG_IPVLAN, before anything is made).

    A lab with guests also gets one background process that holds every
    guest's tap or macvtap and answers ARP and ping as the guest would; later
    `matrix`/`test`/`ping` use it, `status` shows it, `down` stops it.
    """
    k = _kernel(lab)
    if sandbox:
        from ..kernel import sandboxed

        st = sandboxed(k.r, "status")
        render.status(st)
        render.say(f"lab {k.lab}: came up in a sandbox and was removed", to_stderr=True)
        return
    from ..kernel import preflight

    preflight.require_namespace_access()  # whether the lab is up already is read from its namespaces
    result = k.up(progress=_progress(f"up {k.lab}"), external_guests=external_guests)
    n = len(k.names)
    render.say(
        f"lab {k.lab}: {result}"
        + ("" if result in ("no changes", "guests restarted") else f" ({n} namespaces: {k.lab}-*)")
    )
    if k.guests is not None:
        render.say(f"guests {', '.join(k.r.guests)}: served by process {k.guests.pid} until `vnetlab down {k.lab}`")
    elif k.r.guests and external_guests:
        devs = ", ".join(f"{g}: {k.netns(d[0])} {d[1]}" for g, d in ((n, x.device) for n, x in k.r.guests.items()))
        render.say(f"guests left to your VMs ({devs})")


@cli.command()
@LAB_ARG
@JSON
@errors_to_exit
def plan(lab: Path, as_json: bool) -> None:
    """Show what `up` would create, grouped per node, without doing it.

    Steps are small records (create namespace, add link, set master, sysctl,
    address, up, route, neighbour) in the order `up` runs them.
    """
    from ..plan import build_plan

    r = _resolved(lab)
    steps = build_plan(r)
    if as_json:
        render.json_doc({"lab": r.lab.lab, "steps": [s.as_dict() for s in steps]})
    else:
        render.plan(r, steps)


@cli.command()
@click.argument("lab_or_name", metavar="LAB|NAME")
@errors_to_exit
def down(lab_or_name: str) -> None:
    """Remove everything a lab created, found from live state (also after a crash).

    Takes the lab file or just the lab's name. Only namespaces marked as the
    lab's are touched. Removing a lab that is not there is not an error.
    """
    from ..kernel import owner, preflight

    name = lab_or_name
    if lab_or_name.endswith((".yaml", ".yml")) or Path(lab_or_name).is_file():
        from ..load import load_file

        name = load_file(Path(lab_or_name)).lab.lab
    preflight.require_privileges()
    preflight.require_namespace_access()
    removed = owner.down(name)
    render.say(
        f"lab {name}: removed {len(removed)} namespaces" if removed else f"lab {name}: not running; nothing to remove"
    )


@cli.command(name="list")
@JSON
@errors_to_exit
def list_(as_json: bool) -> None:
    """Labs running on this machine's kernel (found by their marks)."""
    from ..kernel import owner, preflight

    preflight.require_privileges()
    preflight.require_namespace_access()
    labs: dict[str, list[str]] = {}
    for m in owner.owned():
        labs.setdefault(m.lab, []).append(m.name)
    if as_json:
        render.json_doc({"labs": [{"lab": k, "namespaces": v} for k, v in labs.items()]})
    elif not labs:
        render.say("no labs are running")
    else:
        for k, v in labs.items():
            render.say(f"{k}: {len(v)} namespaces ({', '.join(v)})")


@cli.command()
@click.argument("name")
@JSON
@errors_to_exit
def status(name: str, as_json: bool) -> None:
    """Per node of a running lab: interface, kind, mode, parent, master, state, carrier, addresses."""
    from ..kernel import guestd, owner, preflight
    from ..kernel.observe import observe_ns

    if name.endswith((".yaml", ".yml")):
        from ..load import load_file

        name = load_file(Path(name)).lab.lab
    preflight.require_privileges()
    preflight.require_namespace_access()
    marks = owner.owned(name)
    st = {m.name: observe_ns(m.netns) for m in marks}
    if not st:
        raise InputError(f"lab {name} is not running (see `vnetlab list`)")
    c = guestd.connect(name, guestd.listen_candidates(marks))
    daemon = None if c is None else {"pid": c.pid, "guests": c.info.get("guests", [])}
    if c is not None:
        c.close()
    external = any(m.complete and m.external_guests for m in marks)
    if as_json:
        render.json_doc({"lab": name, "nodes": st, "guest_daemon": daemon, "external_guests": external})
    else:
        render.status(st)
        if daemon:
            render.say(f"guests {', '.join(daemon['guests'])}: served by process {daemon['pid']}")
        elif external:
            render.say("guests: left to your own VMs (up --external-guests)")


@cli.command(name="exec", context_settings={"ignore_unknown_options": True})
@click.argument("name")
@click.argument("node")
@click.argument("cmd", nargs=-1, required=True, type=click.UNPROCESSED)
@errors_to_exit
def exec_(name: str, node: str, cmd: tuple[str, ...]) -> None:
    """Run a command inside a node of a running lab (like `ip netns exec`).

    Example: vnetlab exec mvmodes b1 -- ip -br addr
    """
    from ..kernel import nsutil, owner, preflight

    preflight.require_privileges()
    preflight.require_namespace_access()
    marks = {m.name: m for m in owner.owned(name)}
    attached = None if node in marks else _machine.attached(name, node)  # `vnetlab attach NAME-NODE PID`
    if node not in marks and attached is None:
        raise InputError(
            f"lab {name} has no running node {node!r}"
            + (f" (nodes: {', '.join(marks)})" if marks else " (it is not running)")
        )
    fd = os.open(attached or nsutil.path(marks[node].netns), os.O_RDONLY)
    nsutil.setns(fd)
    try:
        os.execvp(cmd[0], list(cmd))
    except OSError as e:
        raise InputError(f"cannot run {cmd[0]}: {e.strerror}") from None


def _backend(lab: Path, backend: str) -> Any:
    from ..backends import open_backend

    return open_backend(_resolved(lab), backend)


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
    b = _backend(lab, backend)
    res = b.probe(src, b.resolve_dst(dst), flush=False)
    if as_json:
        render.json_doc({"lab": b.r.lab.lab, "backend": backend, "src": src, "results": res})
    else:
        for d, ok in res.items():
            render.say(f"{src} -> {d}: {'reply' if ok else 'no reply'}")
    sys.exit(0 if all(res.values()) else 1)


@cli.command()
@LAB_ARG
@BACKEND
@JSON
@errors_to_exit
def matrix(lab: Path, backend: str, as_json: bool) -> None:
    """All-pairs reachability: rows are nodes and guests, columns every IPv4 address.

    Every row is measured from cold neighbour caches (dynamic entries of all
    nodes are flushed first; static ones stay), so rows do not depend on one
    another and both backends measure the same thing. On the kernel, a lab
    that is not up is built in a throw-away sandbox and removed afterwards.
    """
    m = _backend(lab, backend).matrix()
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
    from ..sim import Simulator

    sim = Simulator(_resolved(lab))
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

    r = _resolved(lab)
    names = ["sim", "kernel"] if backend == "both" else [backend]
    backends = {n: open_backend(r, n) for n in names}
    results = {n: b.evaluate(r.lab.expect) for n, b in backends.items()}
    problems = [p for b in backends.values() if (p := _lab_problem(b))]  # the lab itself is not as written
    rows = []
    failed = 0
    for i, e in enumerate(r.lab.expect):
        outs = {n: results[n][i] for n in names}
        checked = [o for o in outs.values() if o.skipped is None]
        ok = all(o.passed for o in outs.values()) and len({o.reached for o in checked}) <= 1
        failed += not ok
        rows.append((e, outs, ok))
    if as_json:
        render.json_doc(
            {
                "lab": r.lab.lab,
                "backend": backend,
                "passed": failed == 0 and not problems,
                "problems": problems,
                "expectations": [
                    {**outs[names[0]].as_dict(), "backends": {n: o.as_dict() for n, o in outs.items()}, "passed": ok}
                    for e, outs, ok in rows
                ],
            }
        )
    else:
        render.expectations_multi(rows, names)
        skipped = sum(1 for _, outs, _ in rows if any(o.skipped for o in outs.values()))
        print(
            f"{len(rows) - failed} passed, {failed} failed"
            + (f" ({skipped} not checkable on every backend)" if skipped else ""),
            file=sys.stderr,
        )
        for p in problems:
            render.error(p)
    if failed or problems:
        sys.exit(1)


def _lab_problem(b: Any) -> str | None:
    """What makes a running kernel lab fail as a whole (its guest daemon is gone)."""
    if getattr(b, "name", None) != "kernel" or not b.running:
        return None
    from ..kernel import guestd

    return guestd.lost(b.live)


@cli.command()
@LAB_ARG
@JSON
@errors_to_exit
def diff(lab: Path, as_json: bool) -> None:
    """Matrices of both backends side by side; exit 1 if any cell disagrees.

    The kernel is the judge: every disagreement comes with the simulator's
    trace of that probe, so the wrong rule is one look away. Guests are left
    out until the kernel backend runs them.
    """
    from ..backends import open_backend
    from ..sim import Simulator

    r = _resolved(lab)
    sim_m = open_backend(r, "sim").matrix()
    ker_m = open_backend(r, "kernel").matrix()
    from ..kernel import KernelLab

    kl = KernelLab(r)
    skip = kl.uncheckable()
    cells = []
    for src, row in ker_m["rows"].items():
        if src in kl.uncheckable_sources():
            continue
        for t in sim_m["targets"]:
            if t["address"] in skip:
                continue
            a, k = sim_m["rows"][src][t["address"]], row[t["address"]]
            cells.append({"from": src, "to": t["address"], "node": t["node"], "sim": a, "kernel": k, "agree": a == k})
    bad = [c for c in cells if not c["agree"]]
    sim = Simulator(r)
    for c in bad:
        res = sim.ping(c["from"], c["to"], flush=True)[0]
        c["trace"] = [h.as_dict() for h in res.hops]
    if as_json:
        render.json_doc({"lab": r.lab.lab, "agree": not bad, "cells": cells, "disagreements": bad})
    else:
        render.diff(sim_m, ker_m, cells, skip)
        for c in bad:
            render.say()
            render.say(
                f"simulator trace of {c['from']} -> {c['to']} (sim says {'reach' if c['sim'] else 'no reach'}, kernel says {'reach' if c['kernel'] else 'no reach'}):"
            )
            for h in c["trace"]:
                render.say(
                    f"  {h['seq']:4d} {h['device']:<20} {h['direction']:<6} {h['verdict']:<7} {h.get('why') or h['frame']}"
                    + (f" [{h['rule']}; {h['func']}]" if h.get("rule") else "")
                )
        render.say(f"{len(cells) - len(bad)} cells agree, {len(bad)} disagree", to_stderr=True)
    if bad:
        sys.exit(1)


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


FORMATS = ["json", "dot", "ip", "libvirt", "networkd", "nspawn"]


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
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file instead of stdout (for networkd: a directory).",
)
@click.option(
    "--domain",
    is_flag=True,
    help="With --format libvirt: wrap the <interface> elements in a minimal <domain> document.",
)
@errors_to_exit
def export(lab: Path, fmt: str, svg: Path | None, output: Path | None, domain: bool) -> None:
    """Write the lab in another form.

    \b
    vnetlab export lab.yaml --format json         # what the backends see
    vnetlab export lab.yaml --format dot --svg lab.svg
    vnetlab export lab.yaml --format libvirt --domain   # guests' NICs for virsh
    """
    if svg is not None and fmt != "dot":
        raise InputError("--svg goes with --format dot")
    r = _resolved(lab)
    if fmt == "json":
        from ..export.json import to_json

        text = to_json(r)
    elif fmt == "ip":
        from ..export.ip_batch import to_script

        text = to_script(r)
    elif fmt == "networkd":
        from ..export.networkd import files, to_text

        if output is not None:  # a directory of NODE/NN-IFNAME.{netdev,network} files
            for rel, body in files(r).items():
                (output / rel).parent.mkdir(parents=True, exist_ok=True)
                (output / rel).write_text(body)
            render.say(f"wrote {len(files(r))} files under {output}/", to_stderr=True)
            return
        text = to_text(r)
    elif fmt == "nspawn":  # NODE.nspawn files and the .network files inside (-o: a directory)
        from ..export.nspawn import export_to

        if (text := export_to(r, output)) is None:  # type: ignore[assignment]
            return
    elif fmt == "libvirt":
        from ..export.libvirt import to_xml

        if not r.guests:
            raise InputError(f"lab {r.lab.lab} has no guests: libvirt <interface> XML describes guests' NICs")
        text = to_xml(r, domain=domain)
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
    render.say(f"wrote {svg}", to_stderr=True)


@cli.command(name="import")
@_machine.machine_options  # --host, --pid, --containers, --uplink
@click.option("--netns", "netns", multiple=True, help="A named namespace to read (repeatable).")
@click.option("--all", "all_", is_flag=True, help="Read every named namespace (/run/netns).")
@click.option("--lab", "lab_name", help="The lab's name (default: the namespaces' common prefix).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the lab here instead of stdout."
)
@errors_to_exit
def import_(netns: tuple[str, ...], all_: bool, lab_name: str | None, output: Path | None, **machine: Any) -> None:
    """Read live kernel state back into a lab file that validates.

    Namespaces become nodes (a namespace holding only a bridge and its veth
    ports becomes a switch, and the far ends its nics), with their links,
    kinds, modes, parents, bridge ports, MACs, addresses, static routes and
    permanent neighbours. Then `trace`, `matrix` and `test` work on it: point
    vnetlab at a real machine and ask why a container cannot reach its host.

    \b
    vnetlab import --all -o machine.yaml && vnetlab matrix machine.yaml
    """
    from ..kernel import nsutil, preflight
    from ..kernel.importer import check_names, to_lab
    from ..load import load_text

    preflight.require_privileges()
    preflight.require_namespace_access()
    names = list(netns) or (nsutil.list_names() if all_ else [])
    if any(machine.values()):
        return _machine.import_machine(names, lab_name, output, **machine)
    if not names:
        raise InputError("name the namespaces to read with --netns NS (repeatable), or --all")
    check_names(names)
    text = to_lab(names, lab_name)
    load_text(text, "<imported>")  # what we write must validate
    if output is not None:
        output.write_text(text)
        render.say(f"wrote {output} ({len(names)} namespaces)", to_stderr=True)
    else:
        sys.stdout.write(text)


from .view import view as _view  # noqa: E402  (its own module: it imports this one)

cli.add_command(_view)
cli.add_command(_machine.attach)


def main() -> None:
    """Entry point of the console script and of `python -m vnetlab`."""
    try:
        _interrupt.unwind_on_interrupt()  # a command interrupted undoes what it made, then exits 130
        if os.environ.get("VNETLAB_DEBUG"):
            cli()
            return
        cli(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except (click.Abort, KeyboardInterrupt):
        _interrupt.interrupted()
    except click.ClickException as e:
        e.show()
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as e:  # a bug of ours: say so briefly, without a traceback
        print(
            f"vnetlab: internal error: {type(e).__name__}: {render.safe(e)} (set VNETLAB_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        sys.exit(70)
    finally:
        _interrupt.leave_on_interrupt()  # exiting: nothing left to undo
