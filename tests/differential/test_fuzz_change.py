"""Differential fuzzing of a change: a random lab (labgen) is brought up on the
kernel and its matrix measured (the bridges and VTEPs learn), then one or two
random changes are applied in place by `up` of the changed lab (plan.diff,
kernel.change), and the kernel's matrix after it is compared with the
simulator's of the changed lab, both built afresh and continued from the
world the old lab's matrix left (steps.carry_learned). The kernel is the judge.

Changes: a device set down or up again, a macvlan's mode, a switch's or a
switch port's hairpin, an address moved, a macvlan moved to another parent
(recreated), a vxlan's remotes. `make fuzz-change N=300` runs many; the
suite a bounded number (FUZZ_CHANGE_N, default 6)."""

from __future__ import annotations

import os
from typing import Any

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from vnetlab import load_text, resolve
from vnetlab.errors import LabInvalid
from vnetlab.kernel import KernelLab, preflight, sandbox
from vnetlab.plan import build_plan
from vnetlab.plan.diff import diff
from vnetlab.sim import Simulator
from vnetlab.steps import carry_learned, merge_patch

from .fuzzing import fuzz_settings
from .labgen import MODES, labs

ROOT_OK = os.geteuid() == 0 or preflight.userns_available()
pytestmark = pytest.mark.skipif(not ROOT_OK, reason="needs root or user namespaces for the kernel side")


@st.composite
def changed(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """(lab, changed lab, what was changed)."""
    text = draw(labs())
    data = yaml.safe_load(text)
    what: list[str] = []
    free = iter(range(200, 250))
    for _ in range(draw(st.integers(1, 2))):
        nodes = data["nodes"]
        ifs = [(n, i, spec) for n, nd in nodes.items() for i, spec in nd.get("interfaces", {}).items()]
        kind = draw(st.sampled_from(["up", "mode", "hairpin", "port", "address", "parent", "remotes"]))
        patch: dict[str, Any] = {}
        if kind == "up":
            n, i, spec = draw(st.sampled_from(ifs))
            patch = {"nodes": {n: {"interfaces": {i: {"up": None if spec.get("up") is False else False}}}}}
        elif kind == "mode":
            mv = [(n, i, s) for n, i, s in ifs if s["kind"] in ("macvlan", "macvtap") and s["mode"] in MODES]
            if not mv:
                continue
            n, i, spec = draw(st.sampled_from(mv))
            patch = {"nodes": {n: {"interfaces": {i: {"mode": draw(st.sampled_from(MODES))}}}}}
        elif kind == "hairpin":
            sw = draw(st.sampled_from(sorted(data["switches"])))
            patch = {"switches": {sw: {"hairpin": not data["switches"][sw].get("hairpin", False)}}}
        elif kind == "port":
            nics = [(n, i, s) for n, i, s in ifs if s["kind"] == "nic"]
            n, i, spec = draw(st.sampled_from(nics))
            on = bool(spec.get("port", {}).get("hairpin"))
            patch = {"nodes": {n: {"interfaces": {i: {"port": None if on else {"hairpin": True}}}}}}
        elif kind == "address":
            with_addr = [(n, i, s) for n, i, s in ifs if s.get("addresses")]
            if not with_addr:
                continue
            n, i, spec = draw(st.sampled_from(with_addr))
            net = spec["addresses"][0].rsplit(".", 1)[0]
            patch = {"nodes": {n: {"interfaces": {i: {"addresses": [f"{net}.{next(free)}/24"]}}}}}
        elif kind == "parent":
            mv = [(n, i, s) for n, i, s in ifs if s["kind"] == "macvlan" and s["mode"] in MODES and "/" in s["parent"]]
            hosts = [f"{n}/eth0" for n, nd in nodes.items() if n.startswith("h") and "c" not in n]
            if not mv or len(hosts) < 2:
                continue
            n, i, spec = draw(st.sampled_from(mv))
            patch = {"nodes": {n: {"interfaces": {i: {"parent": draw(st.sampled_from(hosts))}}}}}
        elif kind == "remotes":
            vx = [(n, i, s) for n, i, s in ifs if s["kind"] == "vxlan" and s.get("remotes")]
            under = [nd["interfaces"]["eth0"]["addresses"][0].split("/")[0] for n, nd in nodes.items() if n[0] == "v"]
            if not vx:
                continue
            n, i, spec = draw(st.sampled_from(vx))
            mine = nodes[n]["interfaces"]["eth0"]["addresses"][0].split("/")[0]
            pick = draw(st.lists(st.sampled_from([u for u in under if u != mine]), min_size=1, unique=True))
            patch = {"nodes": {n: {"interfaces": {i: {"remotes": pick}}}}}
        data = merge_patch(data, patch)
        what.append(f"{kind}: {patch}")
    new = yaml.safe_dump(data, sort_keys=False)
    try:
        load_text(new)
    except LabInvalid:
        assume(False)
    assume(what)
    return text, new, what


def _kernel_change(old: str, new: str, timeout: float) -> tuple[str, dict, list[str]]:
    k = KernelLab(resolve(load_text(old)))
    k.timeout = timeout
    k.up()
    k.matrix()  # bridges and VTEPs learn; what they learned stays through the change
    k.close()
    k = KernelLab(resolve(load_text(new)))
    k.timeout = timeout
    result = k.up()
    rows = k.matrix()["rows"]
    return result, rows, [c.describe() for c in k.changes if c.action != "refresh"]


def _sim_rows(old: str, new: str) -> tuple[dict, dict]:
    """The changed lab's matrix on the simulator: built afresh, and continued from
    the world the old lab's matrix left (steps.carry_learned, what `test` does per step)."""
    ro, rn = resolve(load_text(old)), resolve(load_text(new))
    fresh = Simulator(rn).matrix()["rows"]
    a, b = Simulator(ro), Simulator(rn)
    a.matrix()
    carry_learned(a.world, b.world, diff(build_plan(ro), build_plan(rn)))
    return fresh, b.matrix()["rows"]


def compare_change(old: str, new: str) -> tuple[str, list[str], list[str]]:
    fresh, carried = _sim_rows(old, new)

    def bad(ker: dict) -> set[tuple[str, str]]:
        return {
            (src, a)
            for src, row in ker.items()
            for a, ok in row.items()
            if fresh[src][a] != ok or carried[src][a] != ok
        }

    result, ker, changes = sandbox.run(_kernel_change, old, new, 0.3)
    cells = bad(ker)
    if cells:  # a reply can miss 0.3 s on a loaded machine: again, patiently
        result, ker, changes = sandbox.run(_kernel_change, old, new, 2.0)
        cells &= bad(ker)
    return (
        result,
        changes,
        [f"{s} -> {a}: sim {fresh[s][a]} (continued: {carried[s][a]}), kernel {ker[s][a]}" for s, a in sorted(cells)],
    )


@fuzz_settings(6, "FUZZ_CHANGE_N")
@given(changed())
def test_simulator_agrees_with_the_kernel_after_a_change(case: tuple[str, str, list[str]]) -> None:
    old, new, what = case
    result, changes, bad = compare_change(old, new)
    log = os.environ.get("FUZZ_CHANGE_LOG")
    if log:  # one line per lab: how many ran, and what changed
        with open(log, "a") as fh:
            fh.write(f"{result}\t{len(bad)} disagreements\t{'; '.join(changes)[:300]}\n")
    assert result in ("changed", "no changes"), result
    assert not bad, (
        "after a change the simulator disagrees with the kernel:\n"
        + "\n".join(bad)
        + "\n--- change ---\n"
        + "\n".join(what)
        + "\n--- applied ---\n"
        + "\n".join(changes)
        + "\n--- lab ---\n"
        + old
    )
