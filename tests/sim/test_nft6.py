"""nftables on IPv6 packets in the simulator (docs/kernel-semantics.md §11.8).

Each test is a small dual-stack lab whose verdict the kernel gave in
docs/kernel-semantics-tests/ipv6/12_nft6.sh (recorded in 12_nft6.out): which
tables see ICMPv6 echo and Neighbour Discovery, at which hooks, with which
conntrack state, and what stays refused (exit 3).
"""

from __future__ import annotations

import pytest

from vnetlab import load_text
from vnetlab.sim import PingResult, SimCannot, Simulator, nft, sim_unsupported

A4, B4, A6, B6 = "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"


def lab(b_rules: str = "", a_rules: str = "") -> str:
    """a and b on one veth, dual-stack; ``b_rules``/``a_rules``: the node's ruleset (nft syntax)."""

    def nft_block(rules: str) -> str:
        if not rules:
            return ""
        body = "".join(f"      {line}\n" for line in rules.strip().splitlines())
        return "    nftables: |\n" + body

    return (
        "lab: t\nnodes:\n  a:\n    interfaces:\n"
        f'      eth0: {{kind: veth, peer: b/eth0, addresses: [{A4}/24, "{A6}/64"]}}\n'
        + nft_block(a_rules)
        + "  b:\n    interfaces:\n"
        f'      eth0: {{kind: veth, peer: a/eth0, addresses: [{B4}/24, "{B6}/64"]}}\n' + nft_block(b_rules)
    )


def trace(text: str, src: str, dst: str) -> PingResult:
    (res,) = Simulator(load_text(text)).ping(src, dst, flush=True)
    return res


def reach(text: str, src: str, dst: str) -> bool:
    return Simulator(load_text(text)).probe(src, [dst])[dst]


def both(text: str) -> tuple[bool, bool, bool, bool]:
    """(a→b IPv6, a→b IPv4, b→a IPv6, b→a IPv4), as 12_nft6.sh prints them."""
    return (reach(text, "a", B6), reach(text, "a", B4), reach(text, "b", A6), reach(text, "b", A4))


def chain(hook: str, body: str, family: str = "inet", policy: str = "accept") -> str:
    return (
        f"table {family} t {{\n  chain c {{\n    type filter hook {hook} priority 0; policy {policy};\n{body}\n  }}\n}}"
    )


def test_an_ip_table_never_sees_ipv6_and_an_ip6_table_never_sees_ipv4() -> None:
    # 12_nft6 sections 1 and 2 (ARP is not IPv4 either: b's ip input drop leaves ARP alone)
    assert both(lab(chain("input", "", "ip", "drop"))) == (True, False, True, False)
    assert both(lab(chain("input", "icmpv6 type echo-request accept", "ip6", "drop"))) == (False, True, False, True)


def test_an_inet_input_policy_drop_without_nd_accept_breaks_ipv6_only() -> None:
    # section 3: the echo is accepted, ND is not: nobody resolves b, b resolves nobody
    body = "ct state established accept\nicmpv6 type { echo-request, echo-reply } accept\nmeta l4proto icmp accept"
    assert both(lab(chain("input", body, policy="drop"))) == (False, True, False, True)
    # section 4: accepting NS and NA mends it
    body_nd = "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n" + body
    assert both(lab(chain("input", body_nd, policy="drop"))) == (True, True, True, True)


def test_accepting_ns_but_not_na_lets_b_answer_but_not_resolve() -> None:
    # section 5: a's NS is answered (and teaches b a's MAC), b's own NS gets an NA b drops
    body = "icmpv6 type nd-neighbor-solicit accept\nicmpv6 type { echo-request, echo-reply } accept"
    text = lab(chain("input", body, policy="drop"))
    assert reach(text, "a", B6) is True
    assert reach(text, "b", A6) is False


def test_nd_is_untracked_and_the_echo_is_tracked() -> None:
    # section 6: NS/NA read 'ct state untracked' at every hook, the echo request new, its reply established
    body = "ct state established accept\nct state untracked accept"
    text = lab(chain("input", body, policy="drop"))
    assert both(text) == (False, False, True, True)  # b's own pings: replies established, NA untracked
    res = trace(text, "b", A6)
    whys = [h.why or "" for h in res.hops if h.direction == "nft"]
    assert any("ct state untracked" in w for w in whys), whys
    assert any("ct state established" in w for w in whys), whys


def test_a_chain_before_conntrack_sees_nd_as_invalid() -> None:
    # section 6, pre-300: before nf_conntrack_in (-200) every packet reads invalid, ND too
    rs = "table ip6 t {\n chain p {\n  type filter hook prerouting priority -300; policy accept;\n  ct state untracked drop\n }\n}"
    assert both(lab(rs)) == (True, True, True, True)
    rs_after = rs.replace("-300", "-150")
    assert both(lab(rs_after)) == (False, True, False, True)


def test_nd_leaves_through_output_and_postrouting() -> None:
    # sections 9 and 10: an output or postrouting policy drop that accepts only the echo breaks IPv6
    echo = "icmpv6 type { echo-reply, echo-request } accept\nmeta l4proto icmp accept"
    assert both(lab(chain("output", echo, policy="drop"))) == (False, True, False, True)
    assert both(lab(chain("postrouting", echo, "inet", "drop"))) == (False, True, False, True)
    assert both(lab(chain("prerouting", echo, "inet", "drop"))) == (False, True, False, True)
    nd = "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n" + echo
    assert both(lab(chain("output", nd, policy="drop"))) == (True, True, True, True)


def test_postrouting_input_device_is_the_device_for_nd_and_none_for_a_socket() -> None:
    # sections 11 and 12: ndisc_alloc_skb sets skb->dev, a socket's packet has none
    assert both(lab(chain("postrouting", 'icmpv6 type nd-neighbor-solicit iifname "eth0" drop'))) == (
        True,
        True,
        False,
        True,
    )
    assert both(lab(chain("postrouting", 'icmpv6 type echo-request iifname "eth0" drop'))) == (True,) * 4
    assert both(lab(chain("postrouting", 'icmpv6 type echo-request iifname != "eth0" drop'))) == (
        True,
        True,
        False,
        True,
    )


def test_a_node_pinging_itself_crosses_input_through_lo() -> None:
    # section 8: b's own address, with an input chain that accepts only eth0 (and ND)
    body = 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\niifname "eth0" accept'
    text = lab(chain("input", body, "ip6", "drop"))
    assert reach(text, "b", B6) is False
    assert reach(text, "a", B6) is True


def test_matches_on_ipv6_fields() -> None:
    # ip6 saddr (prefix), meta nfproto/l4proto/protocol, icmp type never matching IPv6, and the reverse
    for rule in (
        "ip6 saddr 2001:db8::/64 icmpv6 type echo-request drop",
        "meta nfproto ipv6 icmpv6 type echo-request drop",
        "meta l4proto ipv6-icmp icmpv6 type echo-request drop",
        "meta protocol ip6 icmpv6 type echo-request drop",
    ):
        assert both(lab(chain("input", rule))) == (False, True, True, True), rule
    for rule in ("icmp type echo-request drop", "ip saddr 0.0.0.0/0 icmp type echo-request drop"):
        assert both(lab(chain("input", rule))) == (True, False, True, True), rule
    assert both(lab(chain("input", "ip6 saddr != 2001:db8::1 icmpv6 type echo-request drop"))) == (True,) * 4


def test_reject_names_the_icmpv6_error() -> None:
    # section 7: plain reject after an icmpv6 match is 'reject with icmpv6 port-unreachable', icmpx maps its code
    for rule, error in (
        ("icmpv6 type echo-request reject", "ICMPv6 port-unreachable, type 1 code 4"),
        ("icmpv6 type echo-request reject with icmpx admin-prohibited", "ICMPv6 admin-prohibited, type 1 code 1"),
        ("reject with icmpx host-unreachable", "ICMPv6 host-unreachable, type 1 code 3"),
    ):
        text = lab(chain("input", "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n" + rule))
        res = trace(text, "a", B6)
        assert not res.ok
        assert any(error in (h.why or "") for h in res.hops), (rule, [h.why for h in res.hops])
    # the IPv4 text is unchanged
    res = trace(lab(chain("input", "reject with icmpx host-unreachable")), "a", B4)
    assert any("ICMP host-unreachable, type 3 code 1" in (h.why or "") for h in res.hops)


def test_ipv6_conntrack_on_only_with_an_ip6_or_inet_ct_rule() -> None:
    rs = nft.compile_ruleset(chain("input", "ct state new accept", "ip6"))
    assert rs.uses_ct6 and not rs.uses_ct
    rs = nft.compile_ruleset(chain("input", "ct state new accept", "ip"))
    assert rs.uses_ct and not rs.uses_ct6
    rs = nft.compile_ruleset(chain("input", "ct state new accept", "inet"))
    assert rs.uses_ct and rs.uses_ct6


@pytest.mark.parametrize(
    ("rules", "named"),
    [
        (
            "table ip6 n {\n chain p {\n  type nat hook prerouting priority -100;\n  dnat to 2001:db8::9-2001:db8::a\n }\n}",
            "the address",
        ),
        (
            "table ip6 n {\n chain p {\n  type nat hook prerouting priority -100;\n  dnat to 2001:db8::9\n }\n"
            " chain f {\n  type filter hook prerouting priority -100;\n  ct state new accept\n }\n}",
            "the NAT hook's own",
        ),
        ("table ip6 t {\n set s {\n  type ipv6_addr\n }\n}", "a named set s"),
    ],
)
def test_what_ipv6_cannot_be_evaluated_is_refused_naming_it(rules: str, named: str) -> None:
    why = sim_unsupported(load_text(lab(rules)))
    assert why is not None and named in why and "IPv6" in why
    with pytest.raises(SimCannot):
        Simulator(load_text(lab(rules)))


def test_an_ip6_table_outside_the_subset_is_moot_without_ipv6_addresses() -> None:
    text = (
        lab("table ip6 t {\n set s {\n  type ipv6_addr\n }\n}").replace(f', "{A6}/64"', "").replace(f', "{B6}/64"', "")
    )
    assert sim_unsupported(load_text(text)) is None
    assert reach(text, "a", B4) is True


def test_an_ip6_field_outside_the_subset_is_refused_when_an_ipv6_packet_meets_it() -> None:
    text = lab(chain("input", "ip6 hoplimit 64 drop"))
    s = Simulator(load_text(text))
    assert s.probe("a", [B4])[B4] is True  # an IPv4 packet never meets it
    with pytest.raises(nft.ProbeUnsupported, match="ip6 hoplimit"):
        Simulator(load_text(text)).probe("a", [B6])


def test_a_failed_dad_with_a_filtering_ruleset_is_refused() -> None:
    text = """
lab: t
switches:
  lan: {hairpin: true}
nodes:
  a:
    interfaces:
      eth0: {kind: nic, switch: lan, addresses: ["2001:db8::1/64"]}
    sysctl: {net.ipv6.conf.all.enhanced_dad: 0, net.ipv6.conf.eth0.enhanced_dad: 0}
    nftables: |
      table inet t {
        chain i {
          type filter hook input priority 0; policy accept;
        }
      }
  b:
    interfaces:
      eth0: {kind: nic, switch: lan, addresses: ["2001:db8::2/64"]}
"""
    with pytest.raises(SimCannot, match="fails duplicate address detection"):
        Simulator(load_text(text))
    # an ip table does not see the solicitation: DAD fails as without a ruleset
    ip_only = text.replace("table inet t", "table ip t")
    assert Simulator(load_text(ip_only)).probe("b", ["2001:db8::1"])["2001:db8::1"] is False
