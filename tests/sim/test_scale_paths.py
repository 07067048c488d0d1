"""Issue #19: the receive paths the matrix takes at scale (a bridge port's frame in one
step, a plain device's straight to its stack, an ARP request passed up to a bridge only
where it can matter) give exactly the matrix of the general code, which is what runs
while tracing or capturing, and `trace` agrees with every cell."""

from __future__ import annotations

import sys

from tests.conftest import ROOT
from tests.sim.test_trust import hub, oracle
from vnetlab import load_text, resolve
from vnetlab.sim import Simulator
from vnetlab.sim.kinds.bridge import BridgeDev
from vnetlab.sim.kinds.veth import VethDev
from vnetlab.sim.world import Device, World

sys.path.insert(0, str(ROOT / "benchmarks"))
from genlabs import star, tree


def _fast_and_full(text: str) -> tuple[dict, dict, Simulator]:
    fast = Simulator(load_text(text))
    full = Simulator(load_text(text))
    full.world.captures["(force the general paths)"] = []
    return fast.matrix()["rows"], full.matrix()["rows"], fast


def test_a_switch_that_owns_an_address_still_answers_for_it() -> None:
    """The ARP request for the switch's own address is passed up to its stack (not pruned)."""
    text = star(12).replace("  sw: {}", "  sw: {addresses: [198.19.255.254/15]}")
    fast, full, _ = _fast_and_full(text)
    assert fast == full
    for observed in (False, True):
        sim = Simulator(load_text(text))
        if observed:
            sim.world.captures["(force the general paths)"] = []
        for src in sim.endpoints:  # a row to the other nodes and to the switch, one cache
            row = sim.probe(src, ["198.18.0.12", "198.19.255.254", "198.18.0.1"])
            assert row["198.19.255.254"], (observed, src)


def test_a_bridge_with_an_address_and_many_ports() -> None:
    """A node's bridge of 12 veth ports with an address: the hub answers through it, the
    others reach each other through it; the fan-out and pass-up fast paths are used."""
    fast, full, sim = _fast_and_full(hub(12))
    assert fast == full
    assert all(all(row.values()) for row in fast.values())
    br = sim.world.devices["hub/br0"]
    assert isinstance(br, BridgeDev)
    assert sim.world.devices["hub/p0"].fast_rx == br.port_rx
    assert oracle(resolve(load_text(hub(12)))) == []


def test_a_hairpin_switch_and_a_down_port() -> None:
    """Hairpin on (a flood goes back out of its ingress port) and one NIC down (its port
    has no carrier): the one-step port path leaves both to the general code."""
    text = star(12).replace("  sw: {}", "  sw: {hairpin: true}")
    text = text.replace(
        "eth0: {kind: nic, switch: sw, addresses: [198.18.0.4/15]}",
        "eth0: {kind: nic, switch: sw, up: false, addresses: [198.18.0.4/15]}",
    )
    assert "up: false" in text
    fast, full, _ = _fast_and_full(text)
    assert fast == full
    assert not any(row["198.18.0.4"] for src, row in fast.items() if src != "n3")
    assert oracle(resolve(load_text(text))) == []


def test_a_tree_of_switches_through_bridging_nodes() -> None:
    """Bridge to veth to bridge: a port's frame goes on to another bridge's port."""
    text = tree(24, per_switch=10)
    fast, full, _ = _fast_and_full(text)
    assert fast == full
    assert all(all(row.values()) for src, row in fast.items() if src.startswith("n"))  # a<k>: no address


def test_each_device_gets_its_receive_path_once() -> None:
    sim = Simulator(load_text(star(12)))
    w = sim.world
    sw = w.devices["sw/sw"]
    nic = w.devices["n0/eth0"]
    assert isinstance(sw, BridgeDev) and isinstance(nic, VethDev) and nic.peer is not None
    port = nic.peer
    assert nic.fast_rx == w._host_rx  # a plain NIC: straight to its stack
    assert port.fast_rx == sw.port_rx  # a switch port: br_handle_frame in one step
    filt = Simulator(load_text(star(12).replace("  sw: {}", "  sw: {vlan_filtering: true}")))
    fnic = filt.world.devices["n0/eth0"]
    assert isinstance(fnic, VethDev) and fnic.peer is not None
    assert fnic.peer.fast_rx == filt.world.netif_receive  # VLAN filtering: the general path


def test_the_loop_limit_is_derived_when_devices_are_added() -> None:
    """World.run no longer recomputes 100 × devices² on every run."""
    w = World()
    assert w._limit == 1_000_000
    for i in range(101):
        Device(w, "n", f"d{i}", f"02:00:00:00:01:{i:02x}")
    assert w._limit == 100 * 101**2
    w.run()
    assert w._budget == w._limit and w.loops == []
