"""dummy on the simulator (labs/dummy.yaml): its addresses are the node's, it
never sends a frame anywhere (dummy_xmit frees it) and never receives one.
The kernel side of the same lab is tests/kernel/test_kernel_labs.py (the
full-kernel tier: this machine's kernel has no CONFIG_DUMMY)."""

from __future__ import annotations

from tests.conftest import ROOT
from vnetlab import load, load_text
from vnetlab.sim import Simulator

LAB = ROOT / "labs" / "dummy.yaml"


def test_a_packet_routed_onto_a_dummy_is_discarded_there() -> None:
    sim = Simulator(load(LAB))
    with sim.capture("a/dm0", "a/eth0") as caps:
        r = sim.ping("a", "198.51.100.7", flush=True)[0]  # in dm0's subnet, owned by nobody
    assert not r.ok
    assert [(h.device, h.rule) for h in r.drops] == [("a/dm0", "dummy-xmit")]
    assert caps["a/eth0"] == []  # no ARP: a dummy is IFF_NOARP, and nothing leaves by another device


def test_its_addresses_answer_from_any_side_and_are_routed_to_its_node() -> None:
    sim = Simulator(load(LAB))
    assert sim.probe("a", ["198.18.0.1", "198.18.1.1"]) == {"198.18.0.1": True, "198.18.1.1": True}
    assert sim.probe("r", ["198.51.100.1"]) == {"198.51.100.1": True}
    assert sim.probe("b", ["198.51.100.1"]) == {"198.51.100.1": False}


def test_without_the_route_to_it_a_dummy_address_is_not_reached() -> None:
    text = LAB.read_text().replace("    routes: [{to: 198.51.100.0/24, via: 192.0.2.10}]\n", "")
    assert sim_reach(text, "r", "198.51.100.1") is False


def sim_reach(text: str, src: str, dst: str) -> bool:
    return Simulator(load_text(text)).probe(src, [dst])[dst]
