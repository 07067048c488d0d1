"""VXLAN over an IPv6 underlay (kernel-semantics §11.14, 11b_vxlan6_underlay.sh): the
simulator's answers against what the kernel did in the sandbox; labs/vxlan-v6-underlay.yaml
is the lab both backends agree on (vnetlab diff: 75 cells)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from vnetlab import load_text
from vnetlab.errors import LabInvalid
from vnetlab.sim import SimCannot, Simulator
from vnetlab.sim.kinds.vxlan import VxlanDev

LAB = (Path(__file__).parents[2] / "labs" / "vxlan-v6-underlay.yaml").read_text()


def _ip(s: str) -> int:
    return int(ipaddress.ip_address(s))


def _vx(s: Simulator, label: str) -> VxlanDev:
    d = s.world.devices[label]
    assert isinstance(d, VxlanDev)
    return d


def test_outer_source_is_the_route_source_and_is_learned() -> None:
    # 11b B/B2: without local the outer source is ipv6_dev_get_saddr's (v2 has 2001:db8:fe::2
    # and 2001:db8:ff::2; towards 2001:db8:ff::1 the longer common prefix wins); the receiver
    # records the inner source MAC against it (vxlan_snoop)
    s = Simulator(load_text(LAB))
    assert s.probe("v2", ["2001:db8:42::1"]) == {"2001:db8:42::1": True}
    assert _vx(s, "v1/vx").fdb[_vx(s, "v2/vx").mac] == _ip("2001:db8:ff::2")


def test_routed_underlay_and_head_end_replication() -> None:
    s = Simulator(load_text(LAB))
    assert s.probe("v4", ["2001:db8:42::1", "192.0.2.1"]) == {"2001:db8:42::1": True, "192.0.2.1": True}
    assert _vx(s, "v1/vx").fdb[_vx(s, "v4/vx").mac] == _ip("2001:db8:4::4")
    # 11b C: v3 has no remote, its two remotes each get a copy; v1 sends to v2 only
    assert s.probe("v3", ["2001:db8:42::1", "2001:db8:42::2"]) == {"2001:db8:42::1": True, "2001:db8:42::2": True}
    assert s.probe("v1", ["2001:db8:42::3", "2001:db8:42::4"]) == {"2001:db8:42::3": False, "2001:db8:42::4": False}


def test_cold_underlay_nd_resolves_before_the_first_frame() -> None:
    s = Simulator(load_text(LAB))
    s.flush()  # what every probe of the matrix starts with (the kernel flushes its neighbour caches)
    v6 = s.world.stacks["v1"].v6
    assert v6 is not None
    eth0 = s.world.devices["v1/eth0"]
    assert (eth0, _ip("2001:db8:ff::2")) not in v6.neigh
    assert s.probe("v1", ["2001:db8:42::2"]) == {"2001:db8:42::2": True}
    assert v6.neigh[(eth0, _ip("2001:db8:ff::2"))].mac == s.world.devices["v2/eth0"].mac


STRICT = """
lab: vxdev
switches:
  u: {}
nodes:
  v1:
    interfaces:
      eth0: {kind: nic, switch: u, addresses: ["2001:db8:ff::1/64"]}
      u1: {kind: veth, peer: v1/u1p, addresses: ["2001:db8:1::1/64"]}
      u1p: {kind: veth, peer: v1/u1}
      vx: {kind: vxlan, vni: 42, remote: "2001:db8:ff::2", LOCAL dev: u1, addresses: ["2001:db8:42::1/64"]}
  v2:
    interfaces:
      eth0: {kind: nic, switch: u, addresses: ["2001:db8:ff::2/64"]}
      vx: {kind: vxlan, vni: 42, remote: "2001:db8:ff::1", local: "2001:db8:ff::2", addresses: ["2001:db8:42::2/64"]}
"""


@pytest.mark.parametrize(("local", "reach"), [("", False), ('local: "2001:db8:ff::1",', True)])
def test_dev_restricts_the_route_only_without_local(local: str, reach: bool) -> None:
    # 11b G: with dev and no local the route lookup is strict to dev (RT6_LOOKUP_F_IFACE: no
    # route, tx_carrier_errors); with local dev is only preferred
    s = Simulator(load_text(STRICT.replace("LOCAL", local)))
    assert s.probe("v1", ["2001:db8:42::2"]) == {"2001:db8:42::2": reach}


@pytest.mark.parametrize(("lower", "mtu", "has"), [(1300, ", mtu: 1400", 1230), (1349, "", 1279)])
def test_an_ipv6_address_on_a_vxlan_clamped_below_1280_is_invalid(lower: int, mtu: str, has: int) -> None:
    # 11b F/H: the VXLAN's MTU is at most its lower's minus 70 over an IPv6 underlay, an
    # explicit larger mtu clamped without an error (1400 over 1300 -> 1230): no IPv6 there,
    # `ip -6 addr add` answers EINVAL, so validate refuses the lab (check.effective_mtu)
    lab = LAB.replace(
        'eth0: {kind: nic, switch: u, addresses: ["2001:db8:ff::1/64"]}',
        f'eth0: {{kind: nic, switch: u, mtu: {lower}, addresses: ["2001:db8:ff::1/64"]}}',
    ).replace(
        "dev: eth0, dstport: 4789, addresses: [192.0.2.1/24",
        f"dev: eth0{mtu}, dstport: 4789, addresses: [192.0.2.1/24",
    )
    with pytest.raises(LabInvalid, match=rf"this device has {has} .*\[ipv6-mtu\]"):
        load_text(lab)


def test_dev_applies_to_the_remote_entry_only() -> None:
    # found by the fuzzer (vnetlab diff, 4 cells): v2's remote entry carries dev u1 (strict:
    # unreachable), its remotes entry none, so v1 gets the copy; replies to v2 go to the
    # learned entry, which has no device either (bridge fdb: "via" on the remote entry only)
    lab = STRICT.replace("LOCAL dev: u1", 'remotes: ["2001:db8:ff::2"], dev: u1').replace(
        'remote: "2001:db8:ff::2", remotes', 'remote: "2001:db8:ff::9", remotes'
    )
    s = Simulator(load_text(lab))
    assert s.probe("v1", ["2001:db8:42::2"]) == {"2001:db8:42::2": True}
    assert s.probe("v2", ["2001:db8:42::1"]) == {"2001:db8:42::1": True}


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ('local: "2001:db8:ff::1"', 'local: "198.18.0.1"', "two address families"),
        ('remote: "2001:db8:ff::2", local', 'remote: "fe80::2", local', "link-local"),
        (
            'remote: "2001:db8:ff::2", local: "2001:db8:ff::1", dev: eth0',
            'group: "ff05::42", dev: eth0',
            "IPv6 multicast group",
        ),
        (
            'remote: "2001:db8:ff::2", local',
            'remote: "2001:db8:ff::2", remotes: [198.18.0.9], local',
            "other address family",
        ),
    ],
)
def test_what_is_not_modelled_is_refused(old: str, new: str, why: str) -> None:
    assert old in LAB
    with pytest.raises(SimCannot, match=why):
        Simulator(load_text(LAB.replace(old, new, 1)))


def test_an_ipv4_remote_with_dev_is_on_link_there() -> None:
    # tests/differential/regressions/vxlan-dev-not-the-route.yaml (kernel: no reach; with
    # local the same; with dev eth0 reach: vnetlab diff, 10 cells each, 0 disagreements)
    path = Path(__file__).parents[2] / "tests" / "differential" / "regressions" / "vxlan-dev-not-the-route.yaml"
    text = path.read_text()
    assert Simulator(load_text(text)).probe("v1", ["192.0.2.2"]) == {"192.0.2.2": False}
    fixed = text.replace("dev: u1, dstport", "dev: eth0, dstport")
    assert Simulator(load_text(fixed)).probe("v1", ["192.0.2.2"]) == {"192.0.2.2": True}
