"""``steps:`` (format v1.1): the lab changing over time.

Each step is ``{name, set, expect}``: ``set`` is a JSON merge patch
(RFC 7386) merged over the lab as it stands after the previous step (the
first one: over the lab as written); the result must be a valid lab, and
then the step's ``expect:`` holds. ``set`` may not change ``lab``, ``steps``
or ``expect``.

A problem inside a merged lab is reported at the key of the step's ``set``
that introduced it (the deepest one written on the path to the problem),
else at the step's ``name``, with the usual rule ids. Rules of their own:
``step-duplicate`` (two steps with one name) and ``step-set-key`` (a ``set``
that touches ``lab``, ``steps`` or ``expect``).

Nothing here touches the system; :func:`lab_after` gives the lab as it
stands after a step (with that step's expectations as its ``expect``), the
one function the CLI and the backends use.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .errors import InputError, Issue, quote
from .model import Lab

if TYPE_CHECKING:
    from .load import Positions

#: top-level keys a step's ``set`` may not change
FORBIDDEN = ("lab", "steps", "expect")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 §2 MergePatch(Target, Patch); neither argument is modified."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _base(lab: Lab) -> dict[str, Any]:
    """The lab as plain data, as written (defaults left out), without its steps and expectations."""
    data = lab.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data.pop("steps", None)
    data.pop("expect", None)
    return data


def _expect(step: Any) -> list[Any]:
    return [e.model_dump(mode="json", by_alias=True, exclude_unset=True) for e in step.expect]


def states(lab: Lab) -> Iterator[tuple[str, Lab]]:
    """(step name, the lab after that step with the step's expectations as ``expect``), in order."""
    cur = _base(lab)
    for step in lab.steps:
        cur = merge_patch(cur, {k: v for k, v in step.set_.items() if k not in FORBIDDEN})
        yield step.name, Lab.model_validate({**cur, "expect": _expect(step)})


def names(lab: Lab) -> list[str]:
    return [s.name for s in lab.steps]


def lab_after(lab: Lab, name: str | None) -> Lab:
    """The lab as it stands after step ``name`` (None: the lab as written, without its steps).

    An unknown name is an InputError (exit 2) listing the step names."""
    if name is None:
        return lab.model_copy(update={"steps": ()})
    for n, after in states(lab):
        if n == name:
            return after
    known = ", ".join(quote(n) for n in names(lab)) or "none (the lab has no steps:)"
    raise InputError(f"no step named {quote(name)}; the steps are: {known}")


# -- validation ----------------------------------------------------------------


class _StepPositions:
    """Positions of a merged lab: a path is located at the deepest key of the
    step's ``set`` that wrote it, an expectation at the step's own ``expect``,
    anything else at the step's ``name``."""

    def __init__(self, pos: Positions, i: int):
        from .load import Positions

        step = ("steps", i)
        self.inner = Positions(pos.file)
        at_name = pos.key((*step, "name")) if (*step, "name") in pos.keys else pos.value(step)
        self.inner.values[()] = at_name
        for table, into in ((pos.keys, self.inner.keys), (pos.values, self.inner.values)):
            for path, where in table.items():
                if path[:3] == (*step, "set") and len(path) > 3:
                    into[path[3:]] = where
                elif path[:3] == (*step, "expect") and len(path) > 3:
                    into[("expect", *path[3:])] = where
        self.inner.keys.setdefault(
            ("expect",), pos.key((*step, "expect")) if (*step, "expect") in pos.keys else at_name
        )

    def positions(self) -> Positions:
        return self.inner


def check_steps(data: dict[str, Any], pos: Positions, lab: Lab | None) -> list[Issue]:
    """Every problem of the ``steps:`` of a loaded lab (``lab``: the validated lab
    as written, or None when it has problems of its own: then only the
    steps' own rules are checked, not the merged labs)."""
    from .check import check_loaded
    from .load import Loaded, _pydantic_issues

    steps = data.get("steps")
    if not isinstance(steps, list):
        return []
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    bad_set = False
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        name = step.get("name")
        if isinstance(name, str):
            if name in seen:
                issues.append(
                    pos.issue(
                        ("steps", i, "name"),
                        "step-duplicate",
                        f"step name {quote(name)} is already used by step {seen[name] + 1}; step names are unique",
                    )
                )
            else:
                seen[name] = i
        patch = step.get("set")
        if isinstance(patch, dict):
            for key in FORBIDDEN:
                if key in patch:
                    bad_set = True
                    issues.append(
                        pos.issue(
                            ("steps", i, "set", key),
                            "step-set-key",
                            f"a step's set may not change {quote(key)} (only the lab's switches, nodes and description)",
                            at_key=True,
                        )
                    )
    if lab is None or bad_set or issues:
        return issues
    cur = _base(lab)
    for i, step in enumerate(lab.steps):
        cur = merge_patch(cur, step.set_)
        merged = {**cur, "expect": _expect(step)}
        spos = _StepPositions(pos, i).positions()
        try:
            after = Lab.model_validate(merged)
        except ValidationError as err:
            issues += _pydantic_issues(merged, err, spos)
            break  # the next steps build on a lab that is not one
        found = check_loaded(Loaded(after, spos))
        issues += found
        if found:
            break
    return sorted(set(issues))


# -- running -------------------------------------------------------------------


def timeline(lab: Lab) -> list[tuple[str | None, Lab]]:
    """The lab as written (name None), then the lab after each step, each with its own expectations."""
    return [(None, lab_after(lab, None)), *states(lab)]


def _kernel_timeline(rs: list[Any]) -> list[tuple[list[Any], list[dict[str, Any]]]]:
    """In a sandbox: bring up the first lab and check its expectations, then
    change it in place into each next one the way `up` applies a changed file
    (kernel.change: only what the step changed is touched) and check that
    step's expectations."""
    from .kernel import KernelLab

    out = []
    for r in rs:
        k = KernelLab(r)
        k.up()
        try:
            out.append(k.evaluate(list(r.lab.expect)))
        finally:
            k.close()
        CHANGES.append([c.as_dict() for c in k.changes])
    return [(o, c) for o, c in zip(out, CHANGES, strict=True)]


#: per state, the Changes (as dicts) the kernel made to reach it, of the last kernel run
CHANGES: list[list[dict[str, Any]]] = []


def evaluate(lab: Lab, backend: str) -> list[tuple[str | None, Any, list[Any]]]:
    """(step name or None, Resolved, outcomes) for the lab as written and after each step.

    sim: each state continues from the world the previous one left (what
    bridges and VTEPs learned carries over, see carry_learned). kernel: one
    throw-away sandbox for the whole timeline, the lab changed in place by
    `up`'s change path step after step. Every probe starts from cold
    neighbour caches on both."""
    from .resolve import resolve

    line = [(name, resolve(state)) for name, state in timeline(lab)]
    if backend == "sim":
        return [(n, r, b.evaluate(r.lab.expect)) for n, r, b in sim_states(lab, line)]
    from .kernel import _gc_thresh3, preflight, sandbox

    preflight.require_privileges()
    for _, r in line:
        preflight.require_kinds(r)
    _gc_thresh3()
    outs = sandbox.run(_kernel_timeline, [r for _, r in line])
    CHANGES[:] = [c for _, c in outs]
    return [(n, r, o) for (n, r), (o, _) in zip(line, outs, strict=True)]


def sim_states(lab: Lab, line: list[tuple[str | None, Any]] | None = None) -> Iterator[tuple[str | None, Any, Any]]:
    """(step name or None, Resolved, SimBackend) for the lab as written and after each step,
    each world built when the caller is done with the previous one (probing it), and
    continued from it (carry_learned). IPv6: the equal prefix routes in the order the
    kernel's changes leave them (sim/steps6.py, kernel-semantics §11.17); what that does
    not model is refused (SimCannot, exit 3)."""
    from .backends import SimBackend
    from .plan import build_plan
    from .plan.diff import diff
    from .resolve import resolve
    from .sim import SimCannot
    from .sim.build import fixed

    if line is None:
        line = [(name, resolve(state)) for name, state in timeline(lab)]
    v6 = None
    if any(r.uses_v6 for _, r in line):
        from .sim import steps6

        why = steps6.problem(resolve(lab))
        if why is not None:
            raise SimCannot(why)
        v6 = steps6.timeline(line)
    prev: Any = None
    for i, (n, r) in enumerate(line):
        if v6 is not None:
            ordered = v6[i].lab
            if ordered is not None:  # a node interface's IPv6 addresses in the kernel's order
                r = resolve(ordered)
            fixed(r).prefix_rank = v6[i].prefix_rank
        b = SimBackend(r)
        if v6 is not None and (why := steps6.dad_problem(b.sim.world, n)):
            raise SimCannot(why)
        if prev is not None:
            carry_learned(prev[0].sim.world, b.sim.world, diff(build_plan(prev[1]), build_plan(r)))
        yield n, r, b
        prev = (b, r)


def carry_learned(old: Any, new: Any, changes: list[Any]) -> None:
    """The simulator's next step continues from the world the previous one left:
    what bridges and VTEPs learned carries over, as it does on the kernel, where a
    step changes the lab in place — except what the kernel forgets: the FDB of a
    device deleted, made again or set down (vxlan_stop, br_dev_stop flush), and a
    bridge's entries on a port that is gone, was made again, set down or lost its
    carrier (br_stp_disable_port → br_fdb_delete_by_port; docs/kernel-semantics.md
    § 7). Neighbour caches need nothing: every probe starts from cold ones, on both
    backends."""
    from .sim.kinds.bridge import Entry

    gone = {f"{c.step.ns}/{c.step.obj}" for c in changes if c.step.op in ("del-link", "down", "link")}
    gone |= {
        f"{c.step.args['peer_ns']}/{c.step.args['peer']}"
        for c in changes
        if c.step.op == "link" and c.step.args.get("peer")
    }

    def oper(d: Any) -> bool:
        return bool(d.up and d.carrier())

    snap = old.fdb_snapshot()
    for label, bfdb in snap.bridges.items():
        d = new.devices.get(label)
        if d is None or label in gone or d.kind != "bridge" or not oper(d):
            continue
        ports = {p.dev.label: p for p in d.ports}
        for key, (port, local) in bfdb.items():
            p = ports.get(port) if port is not None else None
            if local or p is None or port in gone or key in d.fdb or not oper(p.dev):
                continue
            d.fdb[key] = Entry(p, False)
    for label, vfdb in snap.vxlans.items():
        d = new.devices.get(label)
        if d is None or label in gone or d.kind != "vxlan" or not oper(d):
            continue
        for mac, dst in vfdb.items():
            d.fdb.setdefault(mac, dst)


def test_rows(lab: Lab, backend: str) -> list[tuple[str | None, list[Any]]]:
    """Per state (None: the lab as written, then each step's name): the
    expectations' Agreements (vnetlab.verify.compare) on ``backend`` ("sim",
    "kernel" or "both": then a row whose checked backends disagree fails)."""
    from .verify.compare import agreement

    names = ["sim", "kernel"] if backend == "both" else [backend]
    per = {n: evaluate(lab, n) for n in names}
    return [
        (step, agreement(r.lab.expect, {n: per[n][i][2] for n in names}))
        for i, (step, r, _) in enumerate(per[names[0]])
    ]
