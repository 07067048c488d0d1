"""Each kind in a small in-memory harness, checking the rules of
docs/kernel-semantics.md §2 and the edge cases of §5 that decide reachability."""

from __future__ import annotations

import pytest

from vnetlab import load_text
from vnetlab.model import KINDS
from vnetlab.sim import Simulator
from vnetlab.sim.kinds import SIM_KINDS


def sim(text: str) -> Simulator:
    return Simulator(load_text("lab: k\n" + text, "k.yaml"))


def ok(s: Simulator, src: str, ip: str) -> bool:
    return s.probe(src, [ip])[ip]


def test_every_model_kind_has_a_simulator_kind() -> None:
    assert set(SIM_KINDS) == set(KINDS)


VETH = """
nodes:
  a:
    interfaces:
      v0: {kind: veth, peer: b/v0, addresses: [192.0.2.1/24] %s}
  b:
    interfaces:
      v0: {kind: veth, peer: a/v0, addresses: [192.0.2.2/24] %s}
"""


def test_veth_pair_talks() -> None:
    s = sim(VETH % ("", ""))
    assert ok(s, "a", "192.0.2.2") and ok(s, "b", "192.0.2.1")


def test_veth_carrier_needs_both_ends_up() -> None:
    s = sim(VETH % ("", ", up: false"))
    assert not ok(s, "a", "192.0.2.2")
    hops = s.ping("a", "192.0.2.2")[0].drops
    assert hops[0].rule == "no-carrier" and hops[0].func == "dev_deactivate"


def test_lo_delivers_own_addresses() -> None:
    s = sim(VETH % ("", ", up: false"))
    assert ok(s, "a", "192.0.2.1")  # a local address never touches the wire


def test_implicit_peer_end() -> None:
    s = sim("""
nodes:
  a:
    interfaces:
      v0: {kind: veth, peer: b/v1, addresses: [192.0.2.1/24]}
  b: {}
""")
    assert "b/v1" in s.world.devices and not ok(s, "a", "192.0.2.2")


BRIDGE = """
nodes:
  h:
    interfaces:
      br0: {kind: bridge, addresses: [192.0.2.1/24]}
      p1: {kind: veth, peer: x/e0, master: br0 %s}
      p2: {kind: veth, peer: y/e0, master: br0}
  x:
    interfaces:
      e0: {kind: veth, peer: h/p1, addresses: [192.0.2.10/24]}
  y:
    interfaces:
      e0: {kind: veth, peer: h/p2, addresses: [192.0.2.20/24]}
"""


def test_bridge_forwards_and_delivers_locally() -> None:
    s = sim(BRIDGE % "")
    assert ok(s, "x", "192.0.2.20") and ok(s, "y", "192.0.2.10")
    assert ok(s, "x", "192.0.2.1") and ok(s, "h", "192.0.2.20")


def test_bridge_port_without_learning_or_flood() -> None:
    s = sim(BRIDGE % ", port: {learning: false}")
    assert ok(s, "y", "192.0.2.10")  # unknown unicast is flooded every time
    s = sim(BRIDGE % ", port: {learning: false, flood: false}")
    assert not ok(s, "y", "192.0.2.10")  # the ARP broadcast arrives, the unicast does not


def test_bridge_local_delivery_needs_bridge_or_ingress_port_mac() -> None:
    """§5.16: dst = another port's MAC is passed up as OTHERHOST and dropped by IP."""
    text = BRIDGE % ', mac: "02:00:00:00:01:01"' + "      %s\n"
    base = text.replace("      %s\n", "")
    s = sim(
        base.replace(
            "addresses: [192.0.2.20/24]}",
            'addresses: [192.0.2.20/24]}\n    neighbors:\n      - {address: 192.0.2.1, lladdr: "02:00:00:00:01:01", dev: e0}',
        )
    )
    r = s.ping("y", "192.0.2.1")[0]
    assert not r.ok
    assert any(h.rule == "ip-otherhost" for h in r.drops)


def test_bridge_member_tap_without_guest_has_no_carrier() -> None:
    s = sim("""
nodes:
  h:
    interfaces:
      br0: {kind: bridge, addresses: [192.0.2.1/24]}
      tap0: {kind: tap, master: br0}
""")
    assert not ok(s, "h", "192.0.2.9")
    dev = s.world.devices["h/tap0"]
    assert not dev.carrier()
    # with no port forwarding, the bridge itself has no carrier
    assert not s.world.devices["h/br0"].carrier()


def test_tap_guest_is_reachable_and_reaches_back() -> None:
    s = sim("""
nodes:
  h:
    interfaces:
      tap0: {kind: tap, addresses: [192.0.2.1/24], guest: {name: vm, addresses: [192.0.2.2/24]}}
""")
    assert ok(s, "h", "192.0.2.2") and ok(s, "vm", "192.0.2.1")


def test_tun_guest_has_no_ethernet_and_no_arp() -> None:
    s = sim("""
nodes:
  h:
    interfaces:
      tun0: {kind: tun, addresses: [192.0.2.1/24], guest: {name: vm, addresses: [192.0.2.2/24]}}
""")
    assert ok(s, "h", "192.0.2.2") and ok(s, "vm", "192.0.2.1")
    r = s.ping("h", "192.0.2.2")[0]
    assert not any("ARP" in h.frame for h in r.hops)


MACVLAN_DOWN = """
switches: {sw: {}}
nodes:
  h:
    interfaces:
      eth0: {kind: nic, switch: sw, up: false}
  a:
    interfaces:
      m: {kind: macvlan, parent: h/eth0, mode: bridge, addresses: [192.0.2.1/24]}
  b:
    interfaces:
      m: {kind: macvlan, parent: h/eth0, mode: bridge, addresses: [192.0.2.2/24]}
"""


def test_lower_without_carrier_stops_even_bridge_siblings() -> None:
    """§5.13: carrier off on a lower propagates; the qdisc is deactivated."""
    s = sim(MACVLAN_DOWN)
    assert not ok(s, "a", "192.0.2.2")
    assert ok(sim(MACVLAN_DOWN.replace(", up: false", "")), "a", "192.0.2.2")


def test_macvlan_on_a_bridge_device() -> None:
    s = sim("""
nodes:
  h:
    interfaces:
      br0: {kind: bridge}
      p1: {kind: veth, peer: x/e0, master: br0}
  x:
    interfaces:
      e0: {kind: veth, peer: h/p1, addresses: [192.0.2.10/24]}
  c:
    interfaces:
      m: {kind: macvlan, parent: h/br0, mode: bridge, addresses: [192.0.2.5/24]}
""")
    assert ok(s, "x", "192.0.2.5") and ok(s, "c", "192.0.2.10")


VLAN = """
switches: {sw: {}}
nodes:
  a:
    interfaces:
      eth0: {kind: nic, switch: sw}
      v: {kind: vlan, parent: eth0, id: %d, addresses: [192.0.2.1/24]}
  b:
    interfaces:
      eth0: {kind: nic, switch: sw%s}
      v: {kind: vlan, parent: eth0, id: 10, addresses: [192.0.2.2/24]}
"""


def test_vlan_same_vid_meets_other_vid_does_not() -> None:
    assert ok(sim(VLAN % (10, "")), "a", "192.0.2.2")
    s = sim(VLAN % (11, ""))
    r = s.ping("a", "192.0.2.2")[0]
    assert not r.ok and any(h.rule == "vlan-unknown-vid" for h in r.drops)


def test_untagged_never_reaches_a_vlan_device() -> None:
    s = sim(
        VLAN.replace(
            "      v: {kind: vlan, parent: eth0, id: %d, addresses: [192.0.2.1/24]}", "      v: {kind: veth, peer: v9}"
        ).replace("eth0: {kind: nic, switch: sw}", "eth0: {kind: nic, switch: sw, addresses: [192.0.2.1/24]}", 1)
        % ""
    )
    assert not ok(s, "a", "192.0.2.2")


VX = """
switches: {u: {}}
nodes:
  h1:
    interfaces:
      eth0: {kind: nic, switch: u, addresses: [198.51.100.1/24]}
      vx: {kind: vxlan, vni: 5, %s dstport: 4789, addresses: [192.0.2.1/24]}
  h2:
    interfaces:
      eth0: {kind: nic, switch: u, addresses: [198.51.100.2/24]}
      vx: {kind: vxlan, vni: %d, remote: 198.51.100.1, dstport: 4789, addresses: [192.0.2.2/24]}
"""


def test_vxlan_default_remote_and_learning() -> None:
    s = sim(VX % ("remote: 198.51.100.2,", 5))
    assert ok(s, "h1", "192.0.2.2") and ok(s, "h2", "192.0.2.1")
    assert s.world.devices["h2/vx"].fdb  # learned the other side's inner MAC


def test_vxlan_without_remote_drops_and_vni_mismatch_isolates() -> None:
    r = sim(VX % ("", 5)).ping("h1", "192.0.2.2")[0]
    assert not r.ok and any(h.rule == "vxlan-no-destination" for h in r.drops)
    r = sim(VX % ("remote: 198.51.100.2,", 6)).ping("h1", "192.0.2.2")[0]
    assert not r.ok and any(h.rule == "vxlan-vni" for h in r.drops)


TWO_NICS = """
switches: {sw: {}}
nodes:
  h:
    interfaces:
      e0: {kind: nic, switch: sw, addresses: [192.0.2.1/24]}
      e1: {kind: nic, switch: sw, addresses: [192.0.2.5/24]}
    sysctl: {%s}
  p:
    interfaces:
      e0: {kind: nic, switch: sw, addresses: [192.0.2.100/24]}
"""


def test_arp_flux_first_reply_wins() -> None:
    """§3.7: both NICs answer for both addresses; the first reply is cached. The switch
    floods its newest port first (br_add_if: list_add_rcu at the head), so e1, cabled
    after e0, answers first [V: the same topology on the kernel caches e1's MAC]."""
    s = sim(TWO_NICS % "")
    assert ok(s, "p", "192.0.2.5")
    e1 = s.world.devices["h/e1"].mac
    neigh = {ip: n.mac for (_, ip), n in s.world.stacks["p"].neigh.items()}
    from vnetlab.sim.frame import ip_int

    assert neigh[ip_int("192.0.2.5")] == e1


def test_arp_ignore_1_answers_only_on_the_owning_interface() -> None:
    s = sim(TWO_NICS % "net.ipv4.conf.all.arp_ignore: 1")
    assert ok(s, "p", "192.0.2.5")
    from vnetlab.sim.frame import ip_int

    # Only e1 answers p's request, but h's echo reply leaves by e0 (first route), whose
    # ARP for p says "192.0.2.5 is at e0"; p answers it, and neigh_event_ns overrides
    # its entry [V 2026-11-25: `ip neigh` in p shows 192.0.2.5 at e0's MAC, STALE].
    neigh = {ip: (n.mac, n.state) for (_, ip), n in s.world.stacks["p"].neigh.items()}
    assert neigh[ip_int("192.0.2.5")] == (s.world.devices["h/e0"].mac, "stale")


def test_echo_to_broadcast_is_ignored() -> None:
    s = sim(VETH % ("", ""))
    r = s.ping("a", "192.0.2.255")[0]
    assert not r.ok


def test_forwarding_needs_ip_forward() -> None:
    text = """
nodes:
  a:
    interfaces:
      v0: {kind: veth, peer: r/a, addresses: [192.0.2.1/24]}
    routes: [{to: default, via: 192.0.2.254}]
  r:
    interfaces:
      a: {kind: veth, peer: a/v0, addresses: [192.0.2.254/24]}
      b: {kind: veth, peer: b/v0, addresses: [198.51.100.254/24]}
    sysctl: {%s}
  b:
    interfaces:
      v0: {kind: veth, peer: r/b, addresses: [198.51.100.1/24]}
    routes: [{to: default, via: 198.51.100.254}]
"""
    r = sim(text % "").ping("a", "198.51.100.1")[0]
    assert not r.ok and any(h.rule == "not-forwarding" for h in r.drops)
    assert ok(sim(text % "net.ipv4.ip_forward: 1"), "a", "198.51.100.1")


@pytest.mark.parametrize("mode", ["bridge", "vepa", "private"])
def test_macvtap_guest_with_own_mac_is_reachable(mode: str) -> None:
    s = sim(f"""
switches: {{sw: {{hairpin: true}}}}
nodes:
  h:
    interfaces:
      eth0: {{kind: nic, switch: sw, addresses: [192.0.2.1/24]}}
      t0: {{kind: macvtap, parent: eth0, mode: {mode}, guest: {{name: vm, addresses: [192.0.2.10/24]}}}}
      t1: {{kind: macvtap, parent: eth0, mode: {mode}, guest: {{name: vm2, mac: "52:54:00:00:00:99", addresses: [192.0.2.11/24]}}}}
  p:
    interfaces:
      eth0: {{kind: nic, switch: sw, addresses: [192.0.2.100/24]}}
""")
    assert ok(s, "p", "192.0.2.10") and ok(s, "vm", "192.0.2.100")
    assert not ok(s, "p", "192.0.2.11") and not ok(s, "vm2", "192.0.2.100")


VLAN_FILTERING = """
nodes:
  h:
    interfaces:
      br0: {kind: bridge, vlan_filtering: true, addresses: [198.18.9.1/24]}
      p1: {kind: veth, peer: a/e0, master: br0, port: {pvid: 10}}
      p2: {kind: veth, peer: b/e0, master: br0, port: {pvid: 10}}
      p3: {kind: veth, peer: c/e0, master: br0, port: {pvid: 20}}
      p4: {kind: veth, peer: d/e0, master: br0}
  a:
    interfaces:
      e0: {kind: veth, peer: h/p1, addresses: [198.18.9.10/24]}
  b:
    interfaces:
      e0: {kind: veth, peer: h/p2, addresses: [198.18.9.11/24]}
  c:
    interfaces:
      e0: {kind: veth, peer: h/p3, addresses: [198.18.9.12/24]}
  d:
    interfaces:
      e0: {kind: veth, peer: h/p4, addresses: [198.18.9.13/24]}
"""


def test_bridge_vlan_filtering_confines_ports_to_their_pvid() -> None:
    """§2.2: untagged ingress gets the port's PVID; egress only to members; the
    bridge device itself is in default_pvid (1) only, like a port without pvid."""
    s = sim(VLAN_FILTERING)
    assert ok(s, "a", "198.18.9.11")  # both in VLAN 10
    assert not ok(s, "a", "198.18.9.12")  # VLAN 10 vs 20
    assert not ok(s, "a", "198.18.9.1")  # the bridge itself is in VLAN 1
    assert ok(s, "d", "198.18.9.1")  # p4 has the default PVID 1, like the bridge
    r = s.ping("a", "198.18.9.12")[0]
    assert not r.ok


def test_vlan_protocol_is_part_of_the_demux_key() -> None:
    """§2.7: one device per (real device, protocol, VID): an 802.1ad-tagged frame
    never reaches an 802.1Q device of the same VID, while 802.1ad to 802.1ad does."""
    qinq = VLAN.replace("id: %d, addresses: [192.0.2.1/24]}", "id: %d, protocol: 802.1ad, addresses: [192.0.2.1/24]}")
    r = sim(qinq % (10, "")).ping("a", "192.0.2.2")[0]
    assert not r.ok and any(h.rule == "vlan-unknown-vid" for h in r.drops)
    both = qinq.replace("id: 10, addresses: [192.0.2.2/24]}", "id: 10, protocol: 802.1ad, addresses: [192.0.2.2/24]}")
    assert ok(sim(both % (10, "")), "a", "192.0.2.2")
