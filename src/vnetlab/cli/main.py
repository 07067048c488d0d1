"""`vnetlab` commands: parse → call one library function → render → exit code.

The contract is shared/spec/cli.md (copied to docs/cli.md). Commands that are
not built yet are registered with their real help and exit 2 saying so;
nothing pretends to work.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from .. import __version__, _interrupt
from . import machine as _machine
from . import render
from .startup import importing

if TYPE_CHECKING:
    from pathlib import Path

# Start-up: this module, and those that register commands, import only click
# and the small modules above; a command imports what it needs when it runs
# (the loader and pydantic, the simulator, the kernel; even pathlib, json and
# subprocess), so `--help` and `--version` load none of them.
# tests/unit/test_startup.py holds this.

P = ParamSpec("P")
R = TypeVar("R")
#: what a click decorator does to the function it decorates
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class PathArg(click.Path):
    """``click.Path(path_type=pathlib.Path)``, with pathlib imported when a command line has a path."""

    def coerce_path_result(self, value: Any) -> Any:
        from pathlib import Path

        return value if isinstance(value, Path) else Path(value)


LAB_ARG: Decorator = click.argument("lab", metavar="LAB", type=PathArg(dir_okay=False))
BACKEND = click.option(
    "--backend",
    type=click.Choice(["sim", "kernel"]),
    default="sim",
    show_default=True,
    help="sim: pure-Python simulator, no privileges; kernel: real devices through netlink (root).",
)
STEP = click.option(
    "--step", "step", metavar="NAME", default=None, help="The lab as it stands after this step of its steps: (v1.1)."
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout and nothing else there.")


def errors_to_exit(fn: Callable[P, R]) -> Callable[P, R]:
    """Map the error tree to exit codes; never show a traceback for them."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            from ..errors import LabInvalid, VnetlabError  # loaded already by whatever raised one

            if isinstance(e, LabInvalid):
                render.issues(e.issues, to_stderr=True)
                n = len(e.issues)
                print(f"{n} problem{'s' if n != 1 else ''}; nothing was changed.", file=sys.stderr)
                sys.exit(e.exit_code)
            if isinstance(e, VnetlabError):
                render.error(str(e))
                sys.exit(e.exit_code)
            raise

    return wrapper


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
    with importing():
        from ..errors import LabInvalid
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
            f"{lab}: valid (lab {r.lab}: {len(r.nodes)} nodes, {len(r.switches)} switches, {n_if} interfaces, {len(r.expect)} expectations"
            + (f", {len(r.steps)} steps ({sum(len(s.expect) for s in r.steps)} expectations)" if r.steps else "")
            + ")"
        )


def _not_yet(name: str, issue: str) -> None:
    from ..errors import NotImplementedYet

    raise NotImplementedYet(f"'vnetlab {name}' is not implemented yet ({issue}); nothing was done")


def _resolved(lab: Path, step: str | None = None) -> Any:
    """The lab resolved; with ``step``, as it stands after that step (an unknown name: exit 2 listing them)."""
    with importing():
        from ..load import load_file
        from ..resolve import resolve

    loaded = load_file(lab).lab
    if step is None:
        return resolve(loaded)
    from ..steps import lab_after

    return resolve(lab_after(loaded, step))


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
        from ..kernel import KernelLab, sandboxed

        st = sandboxed(k.r, KernelLab.status)
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
    if k.dad_failed:  # the address stays "tentative dadfailed" and unusable until removed and added again
        render.say(f"IPv6 duplicate address detection failed: {', '.join(k.dad_failed)}", to_stderr=True)
    if k.dad_pending:
        render.say(f"IPv6 addresses still tentative after the wait: {', '.join(k.dad_pending)}", to_stderr=True)
    if k.guests is not None:
        render.say(f"guests {', '.join(k.r.guests)}: served by process {k.guests.pid} until `vnetlab down {k.lab}`")
    elif k.r.guests and external_guests:
        devs = ", ".join(f"{g}: {k.netns(d[0])} {d[1]}" for g, d in ((n, x.device) for n, x in k.r.guests.items()))
        render.say(f"guests left to your VMs ({devs})")


@cli.command()
@LAB_ARG
@click.argument("new", metavar="[NEW]", required=False, type=PathArg(dir_okay=False))
@STEP
@JSON
@errors_to_exit
def plan(lab: Path, new: Path | None, step: str | None, as_json: bool) -> None:
    """Show what `up` would create, grouped per node, without doing it.

    Steps are small records (create namespace, add link, set master, sysctl,
    address, up, route, neighbour) in the order `up` runs them.

    With NEW (another lab file), the change from LAB to NEW; with --step
    NAME alone, the change that step makes; as `up` of a changed file makes it on a
    running lab: per node, what is created, changed in place (`ip link set`)
    and deleted; a device the kernel cannot change in place is deleted and
    made again, and the plan says why. Everything else is left alone.
    """
    from ..plan import build_plan

    r = _resolved(lab)
    if new is None and step is None:
        steps = build_plan(r)
        if as_json:
            render.json_doc({"lab": r.lab.lab, "steps": [s.as_dict() for s in steps]})
        else:
            render.plan(r, steps)
        return
    from ..errors import InputError
    from ..plan.diff import diff, summary

    if new is None:  # the change that step makes: from the lab as the step before left it
        from .. import steps as lab_steps

        known = lab_steps.names(r.lab)
        i = known.index(step) if step in known else -1
        r = _resolved(lab, known[i - 1] if i > 0 else None)
    r2 = _resolved(new, step) if new is not None else _resolved(lab, step)
    if r2.lab.lab != r.lab.lab:
        raise InputError(
            f"lab {r2.lab.lab!r} is another lab than {r.lab.lab!r}: a change keeps the lab's name "
            "(`up` of it would bring up a second lab)"
        )
    changes = diff(build_plan(r), build_plan(r2))
    if as_json:
        render.json_doc({"lab": r.lab.lab, "changes": [c.as_dict() for c in changes], "summary": summary(changes)})
    else:
        render.plan_diff(r2, changes)


@cli.command()
@click.argument("lab_or_name", metavar="LAB|NAME")
@errors_to_exit
def down(lab_or_name: str) -> None:
    """Remove everything a lab created, found from live state (also after a crash).

    Takes the lab file or just the lab's name. Only namespaces marked as the
    lab's are touched. Removing a lab that is not there is not an error.
    """
    from pathlib import Path

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
    from ..errors import InputError
    from ..kernel import guestd, owner, preflight
    from ..kernel.observe import observe_ns

    if name.endswith((".yaml", ".yml")):
        from pathlib import Path

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
    from ..errors import InputError
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
        if _interrupt.was_interrupted():
            _interrupt.interrupted()
        e.show()
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as e:  # a bug of ours: say so briefly, without a traceback
        if _interrupt.was_interrupted():  # a library turned the KeyboardInterrupt into its own error
            _interrupt.interrupted()
        print(
            f"vnetlab: internal error: {type(e).__name__}: {render.safe(e)} (set VNETLAB_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        sys.exit(70)
    finally:
        _interrupt.leave_on_interrupt()  # exiting: nothing left to undo


# The other commands register themselves on `cli` (imported last: they import from here).
from . import io_cmds, verify_cmds  # noqa: E402, F401
from .view import view as _view  # noqa: E402  (its own module: it imports this one)

cli.add_command(_view)
cli.add_command(_machine.attach)
