"""NAT on IPv6 packets in the simulator (docs/kernel-semantics.md §11.18).

The lab is 20_nat6.sh's (docs/kernel-semantics-tests/ipv6/, recorded in 20_nat6.out): a LAN
2001:db8:1::/64 on a switch (c, d, and r's l1 with 2001:db8:1::1 then ::2), r's l2 with
2001:db8:2::1 then 2001:db8:9::1, and s, which has no route back to the LAN. Each test is
one of its sections, with the kernel's answer.
"""

from __future__ import annotations

import pytest

from vnetlab import load_text
from vnetlab.sim import PingResult, SimCannot, Simulator, nft

BASE = """lab: nat6
switches:
  lan: {}
nodes:
  c:
    interfaces:
      eth0: {kind: nic, switch: lan, addresses: ["2001:db8:1::10/64"]}
    routes: [{to: default, via: "2001:db8:1::1"}]
  d:
    interfaces:
      eth0: {kind: nic, switch: lan, addresses: ["2001:db8:1::11/64"]}
    routes: [{to: default, via: "2001:db8:1::1"}]
  r:
    interfaces:
      l1: {kind: nic, switch: lan, addresses: ["2001:db8:1::1/64", "2001:db8:1::2/64"]}
      l2: {kind: veth, peer: s/eth0, addresses: ["2001:db8:2::1/64", "2001:db8:9::1/64"]}
    sysctl: {net.ipv6.conf.all.forwarding: 1}
R_RULES
  s:
    interfaces:
      eth0: {kind: veth, peer: r/l2, addresses: ["2001:db8:2::20/64", "2001:db8:9::20/64"]}
    routes: [{to: "2001:db8:8::/64", via: "2001:db8:2::1"}]
"""


def lab(r_rules: str, c_rules: str = "") -> str:
    body = "    nftables: |\n" + "".join(f"      {line}\n" for line in r_rules.strip().splitlines())
    text = BASE.replace("R_RULES\n", body)
    if c_rules:
        block = "    nftables: |\n" + "".join(f"      {line}\n" for line in c_rules.strip().splitlines())
        text = text.replace("  d:\n", block + "  d:\n", 1)
    return text


def nat(hook: str, body: str, family: str = "ip6", prio: int | None = None) -> str:
    p = prio if prio is not None else (-100 if hook in ("prerouting", "output") else 100)
    return f"table {family} n {{\n  chain x {{\n    type nat hook {hook} priority {p}; policy accept;\n{body}\n  }}\n}}"


MASQ = nat("postrouting", 'oifname "l2" masquerade')


def cell(text: str, src: str, dst: str, proto: str = "icmp", port: int | None = None) -> PingResult:
    (res,) = Simulator(load_text(text)).ping(src, dst, flush=True, proto=proto, port=port)
    return res


def seen_at(res: PingResult, node: str) -> list[str]:
    """The packets ``node``'s stack answered (what its listener or echo saw; not ND)."""
    return [
        h.frame
        for h in res.hops
        if h.device.startswith(node + "/") and h.verdict == "reply" and h.frame.startswith("IPv6 ")
    ]


def test_without_nat_the_internet_has_no_route_back() -> None:
    assert not cell(lab("table ip6 f {\n}"), "c", "2001:db8:2::20").ok  # 20_nat6 0


@pytest.mark.parametrize("family", ["ip6", "inet"])
def test_masquerade_takes_the_source_ipv6_dev_get_saddr_gives_for_the_destination(family: str) -> None:
    # A1, A3: s's 2001:db8:2::20 sees r's 2001:db8:2::1, not l2's newest 2001:db8:9::1
    text = lab(nat("postrouting", 'oifname "l2" masquerade', family))
    for proto, port in (("icmp", None), ("tcp", 80), ("udp", 80)):
        res = cell(text, "c", "2001:db8:2::20", proto, port)
        assert res.ok, [str(h) for h in res.hops]
        assert all(f.startswith("IPv6 2001:db8:2::1 > 2001:db8:2::20") for f in seen_at(res, "s")), seen_at(res, "s")
    # A2: to 2001:db8:9::20 it is 2001:db8:9::1 (the longest common prefix)
    res = cell(text, "c", "2001:db8:9::20", "tcp", 80)
    assert res.ok and seen_at(res, "s")[0].startswith("IPv6 2001:db8:9::1 > 2001:db8:9::20")


def test_the_trace_names_the_nat_rule_and_the_un_nat_of_the_reply() -> None:
    res = cell(lab(MASQ), "c", "2001:db8:2::20", "tcp", 80)
    nat_hops = [h for h in res.hops if h.direction == "nat"]
    assert "table ip6 n chain x" in (nat_hops[0].why or "") and "rule 'oifname \"l2\" masquerade'" in (
        nat_hops[0].why or ""
    )
    assert any("un-NATed (a reply)" in (h.why or "") for h in nat_hops)


def test_masquerade_to_a_port_and_snat_with_and_without_a_port() -> None:
    # A4: masquerade to :3000 for TCP; B1: snat to [2001:db8:9::1]:4000 for TCP, snat to 2001:db8:9::1 else
    res = cell(
        lab(nat("postrouting", 'oifname "l2" meta l4proto tcp masquerade to :3000', "inet")),
        "c",
        "2001:db8:2::20",
        "tcp",
        80,
    )
    assert res.ok and seen_at(res, "s")[0].startswith("IPv6 2001:db8:2::1 > 2001:db8:2::20 TCP 3000 > 80")
    body = 'oifname "l2" tcp dport 80 snat to [2001:db8:9::1]:4000\noifname "l2" snat to 2001:db8:9::1'
    text = lab(nat("postrouting", body))
    res = cell(text, "c", "2001:db8:2::20", "tcp", 80)
    assert res.ok and seen_at(res, "s")[0].startswith("IPv6 2001:db8:9::1 > 2001:db8:2::20 TCP 4000 > 80")
    res = cell(text, "c", "2001:db8:2::20")
    assert res.ok and seen_at(res, "s")[0].startswith("IPv6 2001:db8:9::1 > 2001:db8:2::20")


def test_an_inet_snat_ip_statement_does_nothing_to_ipv6_and_the_rule_goes_on() -> None:
    # B3: nft_nat_inet_eval evaluates only a statement of the packet's family
    text = lab(nat("postrouting", 'oifname "l2" snat ip to 192.0.2.1\noifname "l2" masquerade', "inet"))
    res = cell(text, "c", "2001:db8:2::20", "tcp", 80)
    assert res.ok and seen_at(res, "s")[0].startswith("IPv6 2001:db8:2::1 >")


@pytest.mark.parametrize("proto", ["tcp", "udp"])
def test_a_dnat_port_forward_is_answered_by_the_lan_host(proto: str) -> None:
    # C1: s -> [2001:db8:2::1]:8080 goes to c:80
    body = 'iifname "l2" ip6 daddr 2001:db8:2::1 meta l4proto { tcp, udp } th dport 8080 dnat to [2001:db8:1::10]:80'
    sim = Simulator(load_text(lab(nat("prerouting", body))))
    assert sim.answers("s", ["2001:db8:2::1"], proto=proto, port=8080) == {"2001:db8:2::1": "c"}
    assert sim.answers("s", ["2001:db8:2::1"], proto=proto, port=80) == {"2001:db8:2::1": "r"}


def test_a_dnat_of_a_whole_address_takes_the_echo_too() -> None:
    # C2: s -> 2001:db8:8::5 (routed to r) goes to c, echo and TCP
    text = lab(nat("prerouting", "ip6 daddr 2001:db8:8::5 dnat ip6 to 2001:db8:1::10", "inet"))
    res = cell(text, "s", "2001:db8:8::5")
    # (s sends from 2001:db8:9::20, the longest prefix in common with 2001:db8:8::5, as the kernel did)
    assert res.ok and seen_at(res, "c")[0].startswith("IPv6 2001:db8:9::20 > 2001:db8:1::10 echo request")
    assert Simulator(load_text(text)).answers("s", ["2001:db8:8::5"], proto="tcp", port=80) == {"2001:db8:8::5": "c"}


def test_redirect_in_prerouting_takes_the_input_devices_newest_global_address() -> None:
    # D1: r's l1 has 2001:db8:1::1 then ::2: the listener is reached on 2001:db8:1::2
    text = lab(nat("prerouting", 'iifname "l1" tcp dport 81 redirect to :80'))
    res = cell(text, "c", "2001:db8:2::20", "tcp", 81)
    assert res.ok and seen_at(res, "r")[0].startswith("IPv6 2001:db8:1::10 > 2001:db8:1::2 TCP")
    assert Simulator(load_text(text)).answers("c", ["2001:db8:2::20"], proto="tcp", port=81) == {"2001:db8:2::20": "r"}


def test_redirect_in_output_goes_to_the_loopback_address() -> None:
    # D3: c's own output chain redirects to ::1, for s's address and its own
    text = lab(MASQ, c_rules=nat("output", "tcp dport 81 redirect to :80", "inet"))
    for dst in ("2001:db8:2::20", "2001:db8:1::10"):
        res = cell(text, "c", dst, "tcp", 81)
        assert res.ok and seen_at(res, "c")[0].startswith("IPv6 2001:db8:1::10 > ::1 TCP"), [str(h) for h in res.hops]


def test_two_echoes_with_one_id_through_one_masquerade_both_come_back() -> None:
    # E: the second gets another id on the wire, each reply its own id back
    sim = Simulator(load_text(lab(MASQ)))
    st = sim.world.stacks["r"]
    assert sim.probe("c", ["2001:db8:2::20"]) == {"2001:db8:2::20": True}
    assert sim.probe("d", ["2001:db8:2::20"], flush=False) == {"2001:db8:2::20": True}
    ids = {e.reply[3] for e in st.conntrack.by_orig.values() if e.orig[0] == 58}
    assert len(ids) == len([e for e in st.conntrack.by_orig.values() if e.orig[0] == 58])


def test_hairpin_needs_the_masquerade_of_the_lan() -> None:
    # F: d -> [2001:db8:2::1]:8080 DNATed to c:80 fails, and works with a masquerade to c
    pre = "  chain p {\n    type nat hook prerouting priority -100;\n"
    pre += "    ip6 daddr 2001:db8:2::1 tcp dport 8080 dnat ip6 to [2001:db8:1::10]:80\n  }\n"
    post = "  chain q {\n    type nat hook postrouting priority 100;\n"
    post += "    ip6 saddr 2001:db8:1::/64 ip6 daddr 2001:db8:1::10 tcp dport 80 masquerade\n  }\n"
    broken = "table inet n {\n" + pre + "}"
    fixed = "table inet n {\n" + pre + post + "}"
    assert not cell(lab(broken), "d", "2001:db8:2::1", "tcp", 8080).ok
    assert cell(lab(broken), "s", "2001:db8:2::1", "tcp", 8080).ok
    res = cell(lab(fixed), "d", "2001:db8:2::1", "tcp", 8080)
    assert res.ok and seen_at(res, "c")[0].startswith("IPv6 2001:db8:1::2 > 2001:db8:1::10"), seen_at(res, "c")
    assert cell(lab(fixed), "c", "2001:db8:2::1", "tcp", 8080).ok


def test_nd_is_never_natted() -> None:
    # G2: a DNAT of NS and NA in prerouting matches nothing (ND is untracked): r still answers
    body = "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } dnat to 2001:db8:1::99"
    assert cell(lab(nat("prerouting", body)), "c", "2001:db8:1::1").ok


def test_a_nat_chain_policy_drop_drops() -> None:
    # I
    text = lab(
        "table ip6 n {\n  chain p {\n    type nat hook prerouting priority -100; policy drop;\n  }\n"
        '  chain q {\n    type nat hook postrouting priority 100;\n    oifname "l2" masquerade\n  }\n}'
    )
    res = cell(text, "c", "2001:db8:2::20", "tcp", 80)
    assert not res.ok and any(h.rule == "nft-drop" and "nf_nat_inet_fn" in (h.func or "") for h in res.hops)


def test_a_nat_chain_of_an_ip_table_never_sees_ipv6() -> None:
    text = lab("table ip n {\n  chain p {\n    type nat hook postrouting priority 100;\n    masquerade\n  }\n}")
    assert not cell(text, "c", "2001:db8:2::20").ok  # no route back: not masqueraded


def test_what_ipv6_nat_does_not_model_is_refused() -> None:
    text = lab(nat("postrouting", 'oifname "l2" snat to 2001:db8:2::1-2001:db8:2::3'))
    with pytest.raises(SimCannot, match="the address"):
        Simulator(load_text(text))
    rs = nft.compile_ruleset(nat("postrouting", "masquerade", "inet"))
    assert rs.uses_ct and rs.uses_ct6 and rs.v6_problem is None


def test_masquerade_through_lo_keeps_the_nodes_own_address() -> None:
    # J: c masquerades everything at postrouting; to its own address the source stays that address
    text = lab(MASQ, c_rules=nat("postrouting", "masquerade"))
    for proto, port in (("icmp", None), ("tcp", 80)):
        res = cell(text, "c", "2001:db8:1::10", proto, port)
        assert res.ok and seen_at(res, "c")[0].startswith("IPv6 2001:db8:1::10 > 2001:db8:1::10")


def test_a_nat_statement_turns_on_conntrack_for_its_own_family_only() -> None:
    # nft_nat_init: nf_ct_netns_get(net, the statement's family); masquerade: the table's
    # (regression lab v6-nat-statement-family-conntrack.yaml, found by the IPv6 port fuzzer)
    def flags(stmt: str) -> tuple[bool, bool]:
        rs = nft.compile_ruleset(nat("prerouting", stmt, "inet"))
        return rs.uses_ct, rs.uses_ct6

    assert flags("ip daddr 203.0.113.9 dnat ip to 192.0.2.1") == (True, False)
    assert flags("ip6 daddr 2001:db8::9 dnat ip6 to 2001:db8::1") == (False, True)
    assert flags("redirect") == (True, True)
    assert flags("ct state new ip daddr 203.0.113.9 dnat ip to 192.0.2.1") == (True, True)
