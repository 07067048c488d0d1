"""Guests on a tap or tun speak IPv6 (docs/kernel-semantics.md §11.15): the simulator's guest is
the kernel backend's guest daemon's stack, so what is checked here is what both run. The
lab itself (labs/v6-tap-guests.yaml) runs on the kernel in tests/kernel/test_kernel_labs.py."""

from __future__ import annotations

import ipaddress

import pytest

from tests.conftest import ROOT
from vnetlab import load, load_text, resolve
from vnetlab.sim import Simulator, sim_unsupported
from vnetlab.sim.frame import Frame, decode, encode
from vnetlab.sim.ipv6 import ETH_P_IPV6, ICMP6_ECHO, ND_NA, ND_NS, Icmp6, IPv6, eui64, mc_mac, solicited_node
from vnetlab.verify.endpoints import targets

GUEST_MAC = "52:54:00:00:00:10"
HAIRPIN = f"""
lab: hpg
nodes:
  host:
    interfaces:
      br0: {{kind: bridge, addresses: ["2001:db8:10::1/64"]}}
      tap0:
        kind: tap
        master: br0
        port: {{hairpin: true}}
        guest: {{name: vm1, mac: "{GUEST_MAC}", addresses: ["2001:db8:10::10/64"]}}
"""


@pytest.mark.parametrize(
    "msg",
    [
        Icmp6(ND_NS, target=0x2001_0DB8 << 96 | 5, lladdr="02:00:00:00:00:01"),
        Icmp6(ND_NS, target=0x2001_0DB8 << 96 | 5, nonce=0x0DB8_0000_0005),
        Icmp6(ND_NA, target=7, lladdr="02:00:00:00:00:01", router=True, solicited=True, override=True),
        Icmp6(ICMP6_ECHO, 7, 9),
    ],
    ids=["ns", "dad-ns-nonce", "na", "echo"],
)
def test_what_a_guest_writes_it_reads_back(msg: Icmp6) -> None:
    """The guest daemon writes frames with encode and reads the kernel's with decode: every
    field the stack looks at survives (the nonce's 6 bytes included: a guest must know its own
    solicitation when a hairpin port sends it back)."""
    pkt = IPv6(0x2001_0DB8 << 96 | 1, solicited_node(5), msg, hlim=255)
    frame = Frame(mc_mac(solicited_node(5)), GUEST_MAC, ETH_P_IPV6, pkt)
    back = decode(encode(frame))
    assert back is not None and back.payload == pkt


def test_a_corrupted_checksum_is_dropped() -> None:
    pkt = IPv6(1, 2, Icmp6(ICMP6_ECHO, 7, 9))
    raw = bytearray(encode(Frame("02:00:00:00:00:02", GUEST_MAC, ETH_P_IPV6, pkt)))
    raw[-1] ^= 0xFF  # the payload's last byte
    assert decode(bytes(raw)) is None


def test_a_guest_passes_dad_when_a_hairpin_port_reflects_its_solicitation() -> None:
    s = Simulator(load_text(HAIRPIN))
    g = s.world.stacks["vm1"].v6
    assert g is not None and not g.dad_failed
    assert eui64(GUEST_MAC) in g.local and int(ipaddress.IPv6Address("2001:db8:10::10")) in g.local
    assert s.matrix()["rows"]["host"]["2001:db8:10::10"] is True


def test_guest_ipv6_addresses_are_matrix_columns() -> None:
    r = resolve(load(ROOT / "labs" / "v6-tap-guests.yaml"))
    cols = {(t.node, t.address) for t in targets(r)}
    assert {("vm1", "2001:db8:10::10"), ("vm2", "2001:db8:20::2")} <= cols


@pytest.mark.parametrize(
    ("iface", "why"),
    [
        ('tap1: {kind: tap, addresses: ["2001:db8:9::1/64"]}', "IPv6 on a tap that no guest holds"),
        ('tun0: {kind: tun, addresses: ["2001:db8:9::1/64"]}', "IPv6 on a tun that no guest holds"),
    ],
)
def test_what_guests_do_not_cover_is_refused_naming_it(iface: str, why: str) -> None:
    text = HAIRPIN + f"      {iface}\n"
    assert why in (sim_unsupported(load_text(text)) or "")


def test_a_tun_guest_is_reached_without_neighbour_discovery() -> None:
    """A tun is IFF_NOARP with no link layer: no NS, no DAD, packets straight to the guest."""
    s = Simulator(load(ROOT / "labs" / "v6-tun-guest.yaml"))
    assert s.matrix()["rows"]["host"]["2001:db8:5::2"] is True
    (res,) = s.ping("host", "2001:db8:5::2", flush=True)
    assert res.ok and res.hops
    assert not any("neighbor solicitation" in str(h) for h in res.hops)
    guest = s.world.stacks["vpn"].v6
    assert guest is not None and not guest.tentative and not guest.dad_failed
