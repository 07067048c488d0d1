"""The simulator's steps continue from the previous world, as the kernel's do
(a step changes the running lab in place): what the switch learned carries
over, except on a port that went down (the kernel flushes its entries)."""

from __future__ import annotations

from tests.conftest import ROOT
from vnetlab import load_text, resolve
from vnetlab.backends import SimBackend
from vnetlab.plan import build_plan
from vnetlab.plan.diff import diff
from vnetlab.steps import carry_learned, timeline

LAB = (ROOT / "labs" / "steps-link-down.yaml").read_text()


def _worlds():
    line = [resolve(s) for _, s in timeline(load_text(LAB))]
    a = SimBackend(line[0])
    a.evaluate(line[0].lab.expect)  # c1 and c2 talk: the switch learns
    return line, a


def test_learned_entries_carry_into_the_next_step_unless_their_port_went_down() -> None:
    line, a = _worlds()
    learned = {m for m, (port, local) in a.sim.world.fdb_snapshot().bridges["lan/sw"].items() if not local}
    assert learned  # the first state's probes taught the switch something
    # step 1: host/eth0 (the nic behind the switch port) goes down: the port loses carrier
    b = SimBackend(line[1])
    carry_learned(a.sim.world, b.sim.world, diff(build_plan(line[0]), build_plan(line[1])))
    ports = {m: p for m, (p, local) in b.sim.world.fdb_snapshot().bridges["lan/sw"].items() if not local}
    assert all(p != "lan/p0" for p in ports.values())  # the port whose peer went down forgot
    # the same state again: everything learned carries
    c = SimBackend(line[0])
    carry_learned(a.sim.world, c.sim.world, [])
    again = {m for m, (p, local) in c.sim.world.fdb_snapshot().bridges["lan/sw"].items() if not local}
    assert again == learned
