"""The simulator's IPv6 slice (sim/ipv6.py), rule by rule (docs/kernel-semantics.md §11).

Each test builds a small lab, runs the simulator and looks at what the
kernel does in the same situation (measured in docs/kernel-semantics-ipv6.md):
verdicts, and the frames and neighbour entries the rule is about.
"""

from __future__ import annotations

import re

import pytest

from vnetlab import load_text
from vnetlab.sim import SimCannot, Simulator
from vnetlab.sim.ipv6 import ND_NA, ND_NS, Icmp6, IPv6, a6, eui64, mc_mac, solicited_node

MAC_A, MAC_B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"


def sim(text: str) -> Simulator:
    return Simulator(load_text(text))


SWITCH = f"""
lab: t
switches:
  s1: {{}}
nodes:
  a:
    interfaces:
      eth0: {{kind: nic, switch: s1, mac: "{MAC_A}", addresses: ["2001:db8::a/64"]}}
  b:
    interfaces:
      eth0: {{kind: nic, switch: s1, mac: "{MAC_B}", addresses: ["2001:db8::b/64"]}}
"""


def test_eui64_link_local_and_solicited_node_group() -> None:
    # V1.6 (addrconf_ifid_eui48) and the examples measured there
    assert a6(eui64("02:00:00:00:00:0a")) == "fe80::ff:fe00:a"
    assert a6(eui64("52:54:00:00:00:50")) == "fe80::5054:ff:fe00:50"
    g = solicited_node(int.from_bytes(bytes.fromhex("20010db8000000000000000000abcdef"), "big"))
    assert a6(g) == "ff02::1:ffab:cdef"
    assert mc_mac(g) == "33:33:ff:ab:cd:ef"


def test_every_device_has_its_link_local_and_joins_its_groups() -> None:
    s = sim(SWITCH)
    v6 = s.world.stacks["a"].v6
    assert v6 is not None
    dev = s.world.devices["a/eth0"]
    assert [a6(ip) for ip, _ in v6.addrs[dev]] == ["fe80::ff:fe00:a", "2001:db8::a"]
    groups = {a6(g) for d, g in v6.groups if d is dev}
    assert groups == {"ff02::1", "ff02::1:ff00:a"}
    # the switch's bridge device and ports have IPv6 as well (V1.5)
    sw = s.world.stacks["s1"].v6
    assert sw is not None and any(d.kind == "bridge" for d in sw.addrs)


def test_ns_goes_to_the_solicited_node_group_and_the_na_has_s_and_o() -> None:
    s = sim(SWITCH)
    with s.capture("a/eth0"):
        assert s.probe("a", ["2001:db8::b"])["2001:db8::b"]
        frames = s.world.captures["a/eth0"]
    ns = [f for f in frames if isinstance(f.payload, IPv6) and f.payload.payload.type == ND_NS]
    na = [f for f in frames if isinstance(f.payload, IPv6) and f.payload.payload.type == ND_NA]
    assert len(ns) == 1 and len(na) == 1
    p = ns[0].payload
    assert isinstance(p, IPv6)
    assert ns[0].dst == "33:33:ff:00:00:0b" and a6(p.dst) == "ff02::1:ff00:b" and p.hlim == 255
    assert a6(p.src) == "2001:db8::a" and p.payload.lladdr == MAC_A  # the queued packet's source (V3.1)
    q = na[0].payload
    assert isinstance(q, IPv6) and isinstance(q.payload, Icmp6)
    assert na[0].dst == MAC_A and q.hlim == 255 and q.payload.lladdr == MAC_B
    assert (q.payload.solicited, q.payload.override, q.payload.router) == (True, True, False)  # V3.3


def test_the_solicited_node_learns_the_sender_stale_and_nobody_else_does() -> None:
    text = (
        SWITCH
        + """  c:
    interfaces:
      eth0: {kind: nic, switch: s1, addresses: ["2001:db8::c/64"]}
"""
    )
    s = sim(text)
    s.probe("a", ["2001:db8::b"])
    b, c = s.world.stacks["b"].v6, s.world.stacks["c"].v6
    assert b is not None and c is not None
    a_ip = int.from_bytes(bytes.fromhex("20010db80000000000000000000000" + "0a"), "big")
    entry = b.neigh[(s.world.devices["b/eth0"], a_ip)]
    assert entry.mac == MAC_A and entry.state == "stale"  # V3.4
    assert not c.neigh  # a third node learns nothing


def test_router_flag_follows_the_receiving_devices_forwarding() -> None:
    text = SWITCH.replace(
        'addresses: ["2001:db8::b/64"]}',
        'addresses: ["2001:db8::b/64"]}\n    sysctl: {net.ipv6.conf.all.forwarding: 1}',
    )
    s = sim(text)
    with s.capture("a/eth0"):
        s.probe("a", ["2001:db8::b"])
        na = [f.payload for f in s.world.captures["a/eth0"] if isinstance(f.payload, IPv6)]
    flags = [(p.payload.router, p.payload.solicited, p.payload.override) for p in na if p.payload.type == ND_NA]
    assert flags == [(True, True, True)]


TWO_NICS = """
lab: t
switches:
  s1: {}
  s2: {}
nodes:
  b:
    interfaces:
      eth0: {kind: nic, switch: s1, addresses: [192.0.2.2/24, "2001:db8:1::2/64"]}
    routes:
      - {to: 198.51.100.0/24, dev: eth0}
      - {to: "2001:db8:2::/64", dev: eth0}
  d:
    interfaces:
      e0: {kind: nic, switch: s1, addresses: [192.0.2.4/24, "2001:db8:1::4/64"]}
      e1: {kind: nic, switch: s2, addresses: [198.51.100.4/24, "2001:db8:2::4/64"]}
"""


def test_nd_is_per_interface_while_arp_is_weak_host() -> None:
    """V3.2: the NS for e1's address reaches e0, which joined the very group, and is not answered."""
    s = sim(TWO_NICS)
    got = s.probe("b", ["198.51.100.4", "2001:db8:2::4", "2001:db8:1::4"])
    assert got == {"198.51.100.4": True, "2001:db8:2::4": False, "2001:db8:1::4": True}
    (res,) = s.ping("b", "2001:db8:2::4", flush=True)
    ns_drops = [h for h in res.drops if h.rule == "ndisc-ns-otherhost"]
    assert [h.device for h in ns_drops] == ["d/e0"]
    assert "another interface of d" in (ns_drops[0].why or "")
    assert res.drops[-1].rule == "neigh-failed"


def test_data_is_weak_host() -> None:
    """V3.8: an echo to e1's address arriving on e0 (a static neighbour sends it there) is answered."""
    s0 = sim(TWO_NICS)
    mac_e0 = s0.world.devices["d/e0"].mac
    text = TWO_NICS.replace(
        '      - {to: "2001:db8:2::/64", dev: eth0}\n',
        '      - {to: "2001:db8:2::/64", dev: eth0}\n'
        f'    neighbors:\n      - {{address: "2001:db8:2::4", lladdr: "{mac_e0}", dev: eth0}}\n',
    )
    s = sim(text)
    assert s.probe("b", ["2001:db8:2::4"]) == {"2001:db8:2::4": True}


ROUTED = """
lab: t
nodes:
  h1:
    interfaces:
      eth0: {kind: veth, peer: r/e1, addresses: ["2001:db8:1::10/64"]}
    routes: [{to: default, via: "2001:db8:1::1"}]
  r:
    interfaces:
      e1: {kind: veth, peer: h1/eth0, addresses: ["2001:db8:1::1/64"]}
      e2: {kind: veth, peer: h2/eth0, mac: "02:00:00:00:02:01", addresses: ["2001:db8:2::1/64"]}
    SYSCTL
  h2:
    interfaces:
      eth0: {kind: veth, peer: r/e2, addresses: ["2001:db8:2::10/64"]}
    routes: [{to: default, via: "fe80::ff:fe00:201", dev: eth0}]
"""


@pytest.mark.parametrize(
    ("sysctl", "routes"),
    [
        ("", False),
        ("sysctl: {net.ipv6.conf.e1.forwarding: 1, net.ipv6.conf.e2.forwarding: 1}", False),  # V7.1: not per device
        ("sysctl: {net.ipv6.conf.all.forwarding: 1}", True),
        ("sysctl: {net.ipv6.conf.all.forwarding: 1, net.ipv6.conf.e1.forwarding: 0}", True),
        ("sysctl: {net.ipv4.ip_forward: 1}", False),  # the IPv4 switch is another one
    ],
)
def test_forwarding_is_all_forwarding_only(sysctl: str, routes: bool) -> None:
    s = sim(ROUTED.replace("SYSCTL", sysctl))
    got = s.probe("h1", ["2001:db8:2::10", "2001:db8:2::1"])
    assert got == {"2001:db8:2::10": routes, "2001:db8:2::1": True}  # r's far address: weak host (V7.2)
    if not routes:
        (res,) = s.ping("h1", "2001:db8:2::10", flush=True)
        assert [h.rule for h in res.drops] == ["not-forwarding"]  # silently: no ICMPv6 error comes back


def test_routers_link_local_gateway_and_ns_source() -> None:
    """V3.1: r resolves h2 (forwarding h1's packet) from its link-local on e2; h2's default
    route points at that link-local."""
    s = sim(ROUTED.replace("SYSCTL", "sysctl: {net.ipv6.conf.all.forwarding: 1}"))
    with s.capture("r/e2"):
        assert s.probe("h1", ["2001:db8:2::10"]) == {"2001:db8:2::10": True}
        sent = [f.payload for f in s.world.captures["r/e2"] if isinstance(f.payload, IPv6)]
    ns = [p for p in sent if p.payload.type == ND_NS]
    assert [a6(p.src) for p in ns][:1] == ["fe80::ff:fe00:201"]


def test_static_neighbour_wins_and_a_wrong_one_blackholes() -> None:
    """V3.7."""
    ok = SWITCH.replace(
        'addresses: ["2001:db8::a/64"]}',
        f'addresses: ["2001:db8::a/64"]}}\n    neighbors: [{{address: "2001:db8::b", lladdr: "{MAC_B}", dev: eth0}}]',
    )
    s = sim(ok)
    with s.capture("a/eth0"):
        assert s.probe("a", ["2001:db8::b"]) == {"2001:db8::b": True}
        sent = [f for f in s.world.captures["a/eth0"] if f.src == MAC_A]
    assert all(not (isinstance(f.payload, IPv6) and f.payload.payload.type == ND_NS) for f in sent)
    bad = ok.replace(f'lladdr: "{MAC_B}"', 'lladdr: "02:00:00:00:00:99"')
    assert sim(bad).probe("a", ["2001:db8::b"]) == {"2001:db8::b": False}


def test_rows_start_cold_for_ipv6_too() -> None:
    s = sim(SWITCH)
    s.probe("a", ["2001:db8::b"])
    s.flush()
    for st in s.world.stacks.values():
        assert st.v6 is not None and not st.v6.neigh


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "      m0: {kind: macvlan, parent: eth0, mode: passthru, nopromisc: true}\n",
            "IPv6 on a passthru macvlan with nopromisc is not simulated yet (a/m0)",
        ),
        (
            '    nftables: "table ip6 n { chain p { type nat hook postrouting priority 100; snat to 2001:db8::1-2001:db8::2; }; }"\n',
            "node a's nftables ruleset on IPv6 packets: the simulator does not evaluate the address",
        ),
        ("    sysctl: {net.ipv6.conf.all.accept_untracked_na: 1}\n", "sysctl net.ipv6.conf.all.accept_untracked_na"),
    ],
)
def test_what_is_outside_the_slice_is_refused_naming_it(extra: str, message: str) -> None:
    text = SWITCH.replace(
        f'      eth0: {{kind: nic, switch: s1, mac: "{MAC_A}", addresses: ["2001:db8::a/64"]}}\n',
        f'      eth0: {{kind: nic, switch: s1, mac: "{MAC_A}", addresses: ["2001:db8::a/64"]}}\n'
        + (extra if extra.startswith("      ") else ""),
    )
    if not extra.startswith("      "):
        text = text.replace("  b:\n", extra + "  b:\n", 1)
    with pytest.raises(SimCannot, match=re.escape(message)):
        sim(text)


def test_a_down_interface_with_ipv6_is_refused() -> None:
    text = SWITCH.replace(f'mac: "{MAC_B}", addresses', f'mac: "{MAC_B}", up: false, addresses')
    with pytest.raises(SimCannot, match="IPv6 on an interface that is down"):
        sim(text)


def test_a_duplicate_on_separate_segments_is_refused_not_guessed() -> None:
    text = """
lab: t
nodes:
  a:
    interfaces:
      eth0: {kind: veth, peer: b/eth0, addresses: ["2001:db8::1/64"]}
      eth1: {kind: veth, peer: c/eth0, addresses: ["2001:db8:1::1/64"]}
  b:
    interfaces:
      eth0: {kind: veth, peer: a/eth0, addresses: ["2001:db8::2/64"]}
  c:
    interfaces:
      eth0: {kind: veth, peer: a/eth1, addresses: ["2001:db8::2/64"]}
"""
    with pytest.raises(SimCannot, match="2001:db8::2"):
        sim(text)


def test_a_lab_without_ipv6_has_no_ipv6_stacks() -> None:
    s = sim(SWITCH.replace('"2001:db8::a/64"', "192.0.2.1/24").replace('"2001:db8::b/64"', "192.0.2.2/24"))
    assert all(st.v6 is None for st in s.world.stacks.values())


def test_capture_writes_ipv6_frames_tcpdump_can_read(tmp_path) -> None:
    import dpkt

    from vnetlab.sim.frame import encode

    s = sim(SWITCH)
    with s.capture("a/eth0"):
        s.probe("a", ["2001:db8::b"])
        frames = list(s.world.captures["a/eth0"])
    kinds = []
    for f in frames:
        eth = dpkt.ethernet.Ethernet(encode(f))
        assert eth.type == 0x86DD
        kinds.append(eth.data.data.type)
    assert kinds == [ND_NS, ND_NA, 128, 129]


def test_cli_exits_3_naming_the_kind_and_takes_ipv6_destinations(run_cli, tmp_path) -> None:
    lab = tmp_path / "mv6.yaml"
    lab.write_text(
        SWITCH.replace(
            'addresses: ["2001:db8::a/64"]}',
            'addresses: ["2001:db8::a/64"]}\n      m0: {kind: macvlan, parent: eth0, mode: passthru, nopromisc: true}',
        )
    )
    code, out, err = run_cli("matrix", str(lab))
    assert code == 3 and "IPv6 on a passthru macvlan with nopromisc is not simulated yet (a/m0)" in out + err
    ok = tmp_path / "ok.yaml"
    ok.write_text(SWITCH)
    code, out, err = run_cli("ping", str(ok), "a", "2001:DB8::B")
    assert code == 0, out + err
    code, out, err = run_cli("trace", str(ok), "a", "b")
    assert code == 0 and "neighbor solicitation who has 2001:db8::b" in out
    code, out, _ = run_cli("matrix", str(ok), "--json")
    import json

    doc = json.loads(out)
    assert [(t["address"], t["family"]) for t in doc["targets"]] == [("2001:db8::a", 6), ("2001:db8::b", 6)]
