"""IPv6 on macvlan and macvtap children (sim/kinds/macvlan.py, docs/kernel-semantics.md §11.13),
against what the kernel did in the test bed of docs/kernel-semantics-tests/ipv6/05_macvlan6.sh,
05b_macvlan_dad.sh and 21_macvlan6.sh: every cell of their recorded ``.out`` tables is built here
as a lab (switch with hairpin on or off, parent "host" on it, children a and b in their own
nodes, peer behind the switch) and compared with the simulator's verdict.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vnetlab import load_text
from vnetlab.sim import SimCannot, Simulator
from vnetlab.sim.ipv6 import a6, eui64

OUT = Path(__file__).parents[2] / "docs" / "kernel-semantics-tests" / "ipv6"
ADDR = {"host": "2001:db8::1", "a": "2001:db8::11", "b": "2001:db8::12", "peer": "2001:db8::100"}
MAC = {"host": "02:00:00:00:00:01", "a": "02:00:00:00:00:0a", "b": "02:00:00:00:00:0b", "peer": "02:00:00:00:00:64"}


def lab(ma: str, mb: str | None, hairpin: bool, kind: str = "macvlan", static: str = "", extra_a: str = "") -> str:
    """The test bed of 05_macvlan6.sh; ``static``: "ab" (a and b know each other), "ha"
    (a and host) or ""."""
    nb = {
        "ab": {"a": ("mv0", "b"), "b": ("mv0", "a")},
        "ha": {"a": ("mv0", "host"), "host": ("eth0", "a")},
    }.get(static, {})

    def neigh(n: str) -> str:
        if n not in nb:
            return ""
        dev, other = nb[n]
        return f'    neighbors:\n      - {{address: "{ADDR[other]}", lladdr: "{MAC[other]}", dev: {dev}}}\n'

    def child(n: str, mode: str | None) -> str:
        if mode is None:
            return ""
        more = extra_a if n == "a" else ""
        return (
            f"  {n}:\n    interfaces:\n      mv0: {{kind: {kind}, parent: host/eth0, mode: {mode}, "
            f'mac: "{MAC[n]}", addresses: ["{ADDR[n]}/64"]{more}}}\n' + neigh(n)
        )

    return (
        f"lab: mv6\nswitches:\n  lan: {{hairpin: {str(hairpin).lower()}}}\nnodes:\n"
        f'  host:\n    interfaces:\n      eth0: {{kind: nic, switch: lan, mac: "{MAC["host"]}", '
        f'addresses: ["{ADDR["host"]}/64"]}}\n'
        + neigh("host")
        + child("a", ma)
        + child("b", mb)
        + f'  peer:\n    interfaces:\n      eth0: {{kind: nic, switch: lan, mac: "{MAC["peer"]}", '
        f'addresses: ["{ADDR["peer"]}/64"]}}\n'
    )


def reach(text: str, src: str, dst: str) -> bool:
    return Simulator(load_text(text)).probe(src, [ADDR[dst]])[ADDR[dst]]


def _rows(name: str) -> list[tuple[str, str, str, bool, str, str, bool]]:
    """(kind, modeA, modeB, hairpin, cell, static, kernel said OK) from a recorded 05 table."""
    rows = []
    kind = "macvtap" if "macvtap" in name else "macvlan"
    for line in (OUT / name).read_text().splitlines():
        m = re.match(r"A=(\w+) B=(\w+) hairpin=(on|off) :(.*)", line)
        if not m:
            continue
        for cell, res in re.findall(r"(\S+?)=(OK|FAIL)", m.group(4)):
            rows.append((kind, m.group(1), m.group(2), m.group(3) == "on", cell, "", res == "OK"))
    return rows


CELLS = {  # 05's cell names: (from, to, static entries)
    "a->b(nd)": ("a", "b", ""),
    "b->a(nd)": ("b", "a", ""),
    "a->b(static)": ("a", "b", "ab"),
    "host->a(nd)": ("host", "a", ""),
    "a->host(nd)": ("a", "host", ""),
    "host<->a(static)": ("host", "a", "ha"),
    "a->peer(nd)": ("a", "peer", ""),
    "peer->a(nd)": ("peer", "a", ""),
}
TABLE = _rows("05_macvlan6.out") + _rows("05_macvtap6.out")


def test_the_recorded_tables_are_all_here() -> None:
    assert len(TABLE) == 2 * 12 * 8


@pytest.mark.parametrize(
    ("kind", "ma", "mb", "hairpin", "cell", "static", "ok"),
    TABLE,
    ids=[f"{k}-{a}-{b}-{'hp' if h else 'nohp'}-{c}" for k, a, b, h, c, _, _ in TABLE],
)
def test_modes_as_the_kernel_measured(
    kind: str, ma: str, mb: str, hairpin: bool, cell: str, static: str, ok: bool
) -> None:
    src, dst, st = CELLS[cell]
    assert reach(lab(ma, mb, hairpin, kind, st), src, dst) is ok


def test_passthru_without_hairpin() -> None:
    # 05 "passthru": the child takes the lower's MAC (and so its link-local); a<->peer work, the
    # parent lost its unicast to the child: host<->peer fail
    text = lab("passthru", None, False).replace(', mac: "02:00:00:00:00:0a"', "")
    s = Simulator(load_text(text))
    child, lower = s.world.devices["a/mv0"], s.world.devices["host/eth0"]
    assert child.mac == lower.mac and a6(eui64(child.mac)) == "fe80::ff:fe00:1"
    got = {(x, y): reach(text, x, y) for x, y in [("a", "peer"), ("peer", "a"), ("host", "peer"), ("peer", "host")]}
    assert got == {("a", "peer"): True, ("peer", "a"): True, ("host", "peer"): False, ("peer", "host"): False}


@pytest.mark.parametrize("hairpin", [False, True])
def test_source_mode(hairpin: bool) -> None:
    # 05 (hairpin off) and 21 (2c, hairpin on): a lists the peer's MAC
    text = lab("source", None, hairpin, extra_a=f', source_macs: ["{MAC["peer"]}"]')
    got = {(x, y): reach(text, x, y) for x, y in [("peer", "a"), ("a", "peer"), ("host", "peer")]}
    assert got == {("peer", "a"): True, ("a", "peer"): True, ("host", "peer"): True}
    if hairpin:
        assert not reach(text, "host", "a") and not reach(text, "a", "host")


@pytest.mark.parametrize(
    ("mode", "hairpin", "b_fails"),
    [
        ("private", False, False),
        ("vepa", False, False),
        ("bridge", False, True),
        ("private", True, False),
        ("vepa", True, True),
        ("bridge", True, True),
    ],
)
def test_dad_between_siblings(mode: str, hairpin: bool, b_fails: bool) -> None:
    # 05b: a has 2001:db8::77 before b adds it. The simulator refuses a duplicate (it cannot
    # order the two DADs), so what is checked is the solicitation's path: whether b's
    # DAD NS for a's address reaches a's device (then the kernel fails b's DAD: a answers).
    text = lab(mode, mode, hairpin)
    s = Simulator(load_text(text))
    ns = s.world.stacks["a"]
    assert ns.v6 is not None
    target = int.from_bytes(bytes.fromhex("20010db8000000000000000000000011"), "big")
    b = s.world.stacks["b"].v6
    assert b is not None
    seen = b_reaches_a(s, target)
    assert seen is b_fails


def b_reaches_a(s: Simulator, target: int) -> bool:
    """Whether a DAD solicitation for ``target`` sent by b/mv0 gets to a/mv0's IPv6 stack."""
    from vnetlab.sim.frame import Frame
    from vnetlab.sim.ipv6 import ETH_P_IPV6, ND_NS, Icmp6, IPv6, mc_mac, solicited_node

    w = s.world
    a_dev, b_dev = w.devices["a/mv0"], w.devices["b/mv0"]
    v6 = w.stacks["a"].v6
    assert v6 is not None
    heard: list[bool] = []
    orig = v6._dad_ns_rcv

    def spy(dev, m, frame):  # type: ignore[no-untyped-def]  # why: a test double of one method
        heard.append(dev is a_dev)

    v6.tentative.add((a_dev, target))
    v6._dad_ns_rcv = spy  # type: ignore[method-assign]  # why: record the call instead of failing a's DAD
    try:
        group = solicited_node(target)
        ns = IPv6(0, group, Icmp6(ND_NS, target=target, nonce=12345), hlim=255)
        w.dev_queue_xmit(b_dev, Frame(mc_mac(group), b_dev.mac, ETH_P_IPV6, ns))
        w.run()
    finally:
        v6._dad_ns_rcv = orig  # type: ignore[method-assign]  # why: restore
        v6.tentative.discard((a_dev, target))
    return any(heard)


def test_enhanced_dad_off_private_child_behind_hairpin_fails_its_own_dad() -> None:
    # 21 (3): enhanced_dad 0 (the device, created in the parent's namespace and moved, takes
    # the new namespace's default): a private child gets its own reflected NS back and fails,
    # VEPA and bridge children do not (macvlan_multicast_rx skips the source)
    for mode, fails in [("private", True), ("vepa", False), ("bridge", False)]:
        text = lab(mode, None, True).replace(
            "  peer:\n",
            "    sysctl: {net.ipv6.conf.all.enhanced_dad: 0, net.ipv6.conf.mv0.enhanced_dad: 0}\n  peer:\n",
        )
        s = Simulator(load_text(text))
        v6 = s.world.stacks["a"].v6
        assert v6 is not None
        failed = {a6(ip) for (_, ip) in v6.dad_failed}
        assert ("2001:db8::11" in failed) is fails, (mode, failed)
        assert reach(text, "peer", "a") is not fails


def test_passthru_behind_a_hairpin_port_is_refused() -> None:
    text = lab("passthru", None, True).replace(', mac: "02:00:00:00:00:0a"', "")
    with pytest.raises(SimCannot, match=r"IPv6 on a passthru macvlan in a lab with a hairpin port is not simulated"):
        Simulator(load_text(text))


VXLAN6 = """
lab: vx6
switches:
  underlay: {}
nodes:
  h1:
    interfaces:
      eth0: {kind: nic, switch: underlay, addresses: [198.51.100.1/24]}
      vx0: {kind: vxlan, vni: 42, remotes: [198.51.100.2, 198.51.100.3], dev: eth0, dstport: 4789, addresses: ["2001:db8:42::1/64"]}
  h2:
    interfaces:
      eth0: {kind: nic, switch: underlay, addresses: [198.51.100.2/24]}
      vx0: {kind: vxlan, vni: 42, remote: 198.51.100.1, remotes: [198.51.100.3], dev: eth0, dstport: 4789, addresses: ["2001:db8:42::2/64"]}
  h3:
    interfaces:
      eth0: {kind: nic, switch: underlay, addresses: [198.51.100.3/24]}
      vx0: {kind: vxlan, vni: 42, remotes: [198.51.100.1], dev: eth0, dstport: 4789, addresses: ["2001:db8:42::3/64"]}
"""


def test_vxlan_overlay_ipv6_over_an_ipv4_underlay() -> None:
    # 11_vxlan6.sh (V11.1): the NS is multicast, so it goes to every default destination, as
    # an ARP broadcast does; h3's only destination is h1 (as labs/vxlan-remotes.yaml for IPv4;
    # the same cells agreed with the kernel: vnetlab diff, 27 cells)
    s = Simulator(load_text(VXLAN6))
    got = s.probe("h3", ["2001:db8:42::1", "2001:db8:42::2"])
    assert got == {"2001:db8:42::1": True, "2001:db8:42::2": False}
    assert s.probe("h2", ["2001:db8:42::3"]) == {"2001:db8:42::3": True}
    v6 = s.world.stacks["h1"].v6
    assert v6 is not None
    assert a6(eui64(s.world.devices["h1/vx0"].mac)) in {a6(ip) for ip, _ in v6.addrs[s.world.devices["h1/vx0"]]}


def test_vxlan_remotes_of_the_other_family_are_refused() -> None:
    # an IPv6 underlay is simulated (tests/sim/test_vxlan6_underlay.py); an IPv6 remotes entry
    # on an IPv4 VXLAN device is EAFNOSUPPORT on the kernel (11b_vxlan6_underlay.sh D)
    text = VXLAN6.replace("remotes: [198.51.100.2, 198.51.100.3]", 'remotes: ["2001:db8:ff::2"]')
    with pytest.raises(SimCannot, match=r"other address family .* \(h1/vx0 2001:db8:ff::2"):
        Simulator(load_text(text))
