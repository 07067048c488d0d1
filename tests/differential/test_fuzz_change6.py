"""Differential fuzzing of IPv6 in a lab with steps: a random dual-stack lab (labgen6) gets
one to three random steps that touch IPv6, as ``steps:`` in the lab itself; the kernel
brings the lab up and applies each step in place (`up` of the changed lab: plan.diff,
kernel.change), measuring the whole matrix before the first step and after each; the
simulator gives each state's matrix as `test` does (steps.sim_states: each world continued
from the last, equal prefix routes in the order the kernel's changes left them). The kernel
is the judge. A lab the simulator refuses (exit 3, sim/steps6.py) is not compared: it is
counted (FUZZ_CHANGE6_LOG).

Steps: an interface given an address of another of its node's prefixes (one prefix on two
devices: the order of their routes decides), an IPv6 address removed or moved to another
node's interface on the same switch, an interface set down (its IPv6 addresses removed: one
that is down is refused on its own) or a veth's MTU set below 1280 (the same), and in a later
step up again (1500) with them, a router's
net.ipv6.conf.all.forwarding toggled. `make fuzz-change6 N=100` runs many; the suite a
bounded number (FUZZ_CHANGE6_N, default 3)."""

from __future__ import annotations

import copy
import ipaddress
import os
from typing import Any

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from vnetlab import load_text, resolve
from vnetlab.errors import LabInvalid
from vnetlab.kernel import KernelLab, preflight, sandbox
from vnetlab.sim import SimCannot
from vnetlab.steps import merge_patch, sim_states, timeline

from .fuzzing import fuzz_settings
from .labgen6 import dual_labs

ROOT_OK = os.geteuid() == 0 or preflight.userns_available()
pytestmark = pytest.mark.skipif(not ROOT_OK, reason="needs root or user namespaces for the kernel side")


def _v6(addrs: list[str]) -> list[str]:
    return [a for a in addrs if ":" in a]


@st.composite
def stepped(draw: st.DrawFn) -> tuple[str, list[str]]:
    """(a dual-stack lab with steps:, what each step does)."""
    data = yaml.safe_load(draw(dual_labs()))
    cur = copy.deepcopy(data)
    steps: list[dict[str, Any]] = []
    what: list[str] = []
    free = iter(range(0xA0, 0xFF))
    bounced: list[tuple[str, str, dict[str, Any]]] = []  # (node, interface, the patch that restores it)
    for k in range(draw(st.integers(1, 3))):
        nodes = cur["nodes"]
        ifs = [
            (n, i, s)
            for n, nd in nodes.items()
            for i, s in nd.get("interfaces", {}).items()
            if s.get("up", True) and s.get("mtu") is None and s["kind"] in ("nic", "veth", "bridge")
        ]
        kinds = ["prefix", "drop", "move", "down", "small", "forwarding"] + (["up"] * 3 if bounced else [])
        kind = draw(st.sampled_from(kinds))
        patch: dict[str, Any] = {}
        if kind == "up":
            n, i, back = bounced.pop(0)
            patch = {"nodes": {n: {"interfaces": {i: back}}}}
        elif kind == "prefix":  # an address of another of the node's prefixes
            pairs = [
                (n, i, s, p)
                for n, i, s in ifs
                for n2, i2, s2 in ifs
                if n2 == n and i2 != i
                for p in _v6(s2.get("addresses", []))
                if not p.endswith("/128")
            ]
            if not pairs:
                continue
            n, i, spec, p = draw(st.sampled_from(pairs))
            net = ipaddress.IPv6Interface(p).network
            a = f"{net.network_address + 0xE000 + next(free)}/{net.prefixlen}"
            at = draw(st.sampled_from(["first", "last"]))
            old = list(spec.get("addresses", []))
            patch = {"nodes": {n: {"interfaces": {i: {"addresses": [a, *old] if at == "first" else [*old, a]}}}}}
        elif kind == "drop":
            with6 = [(n, i, s) for n, i, s in ifs if _v6(s.get("addresses", []))]
            if not with6:
                continue
            n, i, spec = draw(st.sampled_from(with6))
            gone = draw(st.sampled_from(_v6(spec["addresses"])))
            patch = {"nodes": {n: {"interfaces": {i: {"addresses": [a for a in spec["addresses"] if a != gone]}}}}}
        elif kind == "move":  # to another node's nic on the same switch
            moves = [
                (n, i, s, n2, i2, s2)
                for n, i, s in ifs
                for n2, i2, s2 in ifs
                if n2 != n
                and s["kind"] == s2["kind"] == "nic"
                and s["switch"] == s2["switch"]
                and _v6(s.get("addresses", []))
            ]
            if not moves:
                continue
            n, i, s, n2, i2, s2 = draw(st.sampled_from(moves))
            a = draw(st.sampled_from(_v6(s["addresses"])))
            patch = {
                "nodes": {
                    n: {"interfaces": {i: {"addresses": [x for x in s["addresses"] if x != a]}}},
                    n2: {"interfaces": {i2: {"addresses": [*s2.get("addresses", []), a]}}},
                }
            }
        elif kind == "down":  # its IPv6 addresses go with it (one that is down is refused)
            cands = [(n, i, s) for n, i, s in ifs if s["kind"] != "bridge"]
            if not cands:
                continue
            n, i, spec = draw(st.sampled_from(cands))
            keep = [a for a in spec.get("addresses", []) if ":" not in a]
            patch = {"nodes": {n: {"interfaces": {i: {"up": False, "addresses": keep}}}}}
            bounced.append((n, i, {"up": None, "addresses": list(spec.get("addresses", []))}))
        elif kind == "small":  # an MTU below 1280: no IPv6 on the device (its addresses removed)
            # not a device an IPv6 route uses: the kernel has no IPv6 on it (ENODEV; the
            # validator does not catch it yet)
            cands = [
                (n, i, s)
                for n, i, s in ifs
                if s["kind"] == "veth"
                and _v6(s.get("addresses", []))
                and not any(":" in str(rt.get("to", "")) + str(rt.get("via", "")) for rt in nodes[n].get("routes", []))
            ]
            if not cands:
                continue
            n, i, spec = draw(st.sampled_from(cands))
            keep = [a for a in spec["addresses"] if ":" not in a]
            patch = {"nodes": {n: {"interfaces": {i: {"mtu": 1200, "addresses": keep}}}}}
            bounced.append((n, i, {"mtu": 1500, "addresses": list(spec["addresses"])}))
        elif kind == "forwarding":
            routers = [n for n in nodes if n.startswith("r") or n == "hb"]
            if not routers:
                continue
            n = draw(st.sampled_from(routers))
            on = nodes[n].get("sysctl", {}).get("net.ipv6.conf.all.forwarding", 0)
            patch = {"nodes": {n: {"sysctl": {"net.ipv6.conf.all.forwarding": 0 if on else 1}}}}
        cur = merge_patch(cur, patch)
        steps.append({"name": f"s{k}", "set": patch})
        what.append(f"s{k} {kind}: {patch}")
    for n, i, back in bounced:  # what was set down (or below 1280) comes back in a last step
        patch = {"nodes": {n: {"interfaces": {i: back}}}}
        steps.append({"name": f"back {n}/{i}", "set": patch})
        what.append(f"back {n}/{i} up: {patch}")
    assume(steps)
    data["steps"] = steps
    text = yaml.safe_dump(data, sort_keys=False)
    try:
        load_text(text)
    except LabInvalid:
        assume(False)
    return text, what


def _kernel_matrices(text: str, timeout: float) -> list[dict[str, Any]]:
    out = []
    for _, state in timeline(load_text(text)):
        k = KernelLab(resolve(state))
        k.timeout = timeout
        k.up()
        out.append(k.matrix()["rows"])
        k.close()
    return out


def compare_steps(text: str) -> tuple[str, int, list[str]]:
    """("compared" or the simulator's refusal, cells compared, disagreements)."""
    lab = load_text(text)
    try:
        sim = [b.sim.matrix()["rows"] for _, _, b in sim_states(lab)]
    except SimCannot as e:
        return f"refused: {e}", 0, []
    names = [n or "as written" for n, _ in timeline(lab)]

    def bad(ker: list[dict[str, Any]]) -> set[tuple[int, str, str]]:
        return {
            (i, s, a)
            for i, rows in enumerate(ker)
            for s, row in rows.items()
            for a, ok in row.items()
            if sim[i][s][a] != ok
        }

    ker = sandbox.run(_kernel_matrices, text, 0.3)
    cells = bad(ker)
    if cells:  # a reply can miss 0.3 s on a loaded machine: again, patiently
        ker = sandbox.run(_kernel_matrices, text, 2.0)
        cells &= bad(ker)
    n = sum(len(row) for rows in ker for row in rows.values())
    return (
        "compared",
        n,
        [f"{names[i]}: {s} -> {a}: sim {sim[i][s][a]}, kernel {not sim[i][s][a]}" for i, s, a in sorted(cells)],
    )


@fuzz_settings(3, "FUZZ_CHANGE6_N")
@given(stepped())
def test_simulator_agrees_with_the_kernel_over_ipv6_steps(case: tuple[str, list[str]]) -> None:
    text, what = case
    result, cells, bad = compare_steps(text)
    log = os.environ.get("FUZZ_CHANGE6_LOG")
    if log:
        with open(log, "a") as fh:
            fh.write(f"{result[:200]}\t{cells} cells\t{len(bad)} disagreements\t{'; '.join(what)[:300]}\n")
    assert not bad, (
        "over IPv6 steps the simulator disagrees with the kernel:\n" + "\n".join(bad) + "\n--- lab ---\n" + text
    )
