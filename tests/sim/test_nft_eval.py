"""The simulator's nftables evaluation (sim/nft.py) on nft's own JSON: the
ruleset is loaded by the real nft in a throw-away user+network namespace and
evaluated as the kernel's nf_tables would for an IPv4 ICMP echo packet."""

from __future__ import annotations

import ipaddress
import shutil

import pytest

from tests.conftest import ROOT
from vnetlab import load, load_text
from vnetlab.sim import Simulator, sim_unsupported
from vnetlab.sim.conntrack import Conntrack
from vnetlab.sim.nft import Packet, Unsupported, compile_ruleset, listing

pytestmark = pytest.mark.skipif(
    shutil.which("nft") is None or shutil.which("unshare") is None, reason="needs nft and unshare"
)

NFT_LABS = sorted((ROOT / "labs").glob("nft-*.yaml"))


def ip(s: str) -> int:
    return int(ipaddress.IPv4Address(s))


def pkt(src="192.0.2.1", dst="198.51.100.1", typ=8, iif="", oif="", ct="new") -> Packet:
    return Packet(ip(src), ip(dst), 1, typ, 0, iif, oif, ct)


def verdicts(text: str, hook: str, p: Packet) -> list[tuple[str, str | None, str]]:
    return [(d.verdict, d.rule, d.chain.name) for d in compile_ruleset(text).run(hook, p)]


def test_the_model_is_nfts_own_json_and_text() -> None:
    doc, listed = listing(
        "table inet t {\n chain c {\n  type filter hook input priority 0;\n  icmp type 8 drop\n }\n}\n"
    )
    rules = [o["rule"] for o in doc["nftables"] if "rule" in o]
    # nft itself names the type and prints its own text for the rule
    assert rules[0]["expr"][0]["match"]["right"] == "echo-request"
    assert "icmp type echo-request drop # handle" in listed
    rs = compile_ruleset(
        "table inet t {\n chain c {\n  type filter hook input priority 0;\n  icmp type 8 drop\n }\n}\n"
    )
    assert verdicts_of(rs, "input", pkt()) == [("drop", "icmp type echo-request drop")]
    assert verdicts_of(rs, "input", pkt(typ=0)) == [("accept", None)]  # the policy
    assert "output" not in rs.hooks


def verdicts_of(rs, hook, p):
    return [(d.verdict, d.rule) for d in rs.run(hook, p)]


BASE = """table ip a {
  chain late {
    type filter hook forward priority 10; policy accept;
    ip saddr 192.0.2.1 drop
  }
  chain early {
    type filter hook forward priority -10; policy accept;
    ip saddr { 192.0.2.0/30, 203.0.113.5-203.0.113.9 } accept
  }
}
table ip6 six {
  chain f {
    type filter hook forward priority 0; policy drop;
  }
}
"""


def test_base_chains_in_priority_order_accept_does_not_stop_the_next() -> None:
    assert verdicts(BASE, "forward", pkt()) == [
        ("accept", "ip saddr { 192.0.2.0/30, 203.0.113.5-203.0.113.9 } accept", "early"),
        ("drop", "ip saddr 192.0.2.1 drop", "late"),
    ]
    assert verdicts(BASE, "forward", pkt(src="203.0.113.9"))[0][0] == "accept"
    assert verdicts(BASE, "forward", pkt(src="203.0.113.10")) == [("accept", None, "early"), ("accept", None, "late")]
    # the ip6 table's policy drop never sees IPv4
    assert compile_ruleset(BASE).ignored == ["table ip6 six"]


JUMPS = """table inet t {
  chain sub {
    ip daddr 198.51.100.1 return
    ip daddr 198.51.100.2 drop
  }
  chain gsub {
    ip daddr 198.51.100.3 accept
  }
  chain input {
    type filter hook input priority 0; policy drop;
    iifname "e*" jump sub
    iifname != { "eth1", "lo" } goto gsub
    accept
  }
}
"""


def test_jump_returns_goto_does_not() -> None:
    # jump: a return (or the end of sub) goes on after the jump
    # ("eth1" is in the set of the goto rule: after sub returns, the last rule accepts)
    assert verdicts(JUMPS, "input", pkt(iif="eth1"))[0][0] == "accept"
    assert verdicts(JUMPS, "input", pkt(dst="198.51.100.2", iif="eth1"))[0][:2] == (
        "drop",
        "ip daddr 198.51.100.2 drop",
    )
    # goto gsub and its end: not back to input's next rule, but to the policy
    assert verdicts(JUMPS, "input", pkt(iif="eth0")) == [("drop", None, "input")]
    assert verdicts(JUMPS, "input", pkt(iif="x0")) == [("drop", None, "input")]
    assert verdicts(JUMPS, "input", pkt(dst="198.51.100.3", iif="x0"))[0][0] == "accept"


def test_a_missing_device_is_index_0_and_the_empty_name() -> None:
    """nft_meta_get_eval (net/netfilter/nft_meta.c): no input device at output stores ifindex 0
    and the name "": 'iifname != "x"' matches there (found by the differential fuzzer)."""
    text = 'table ip t {\n chain o {\n  type filter hook output priority 0;\n  iifname != "x" drop\n }\n}\n'
    assert verdicts(text, "output", pkt(iif="", oif="eth0"))[0][0] == "drop"
    text = 'table ip t {\n chain i {\n  type filter hook input priority 0;\n  oif != "lo" drop\n }\n}\n'
    assert verdicts(text, "input", pkt(iif="eth0", oif=""))[0][0] == "drop"
    assert verdicts(text.replace("!=", "=="), "input", pkt(iif="lo", oif=""))[0][0] == "accept"


def test_matches_on_other_protocols_never_match_icmp() -> None:
    text = (
        "table inet t {\n chain i {\n  type filter hook input priority 0;\n"
        "  tcp dport != 22 drop\n  meta l4proto != icmp drop\n  reject with tcp reset\n"
        "  meta l4proto { tcp, icmp } ip protocol icmp counter reject with icmp type host-prohibited\n }\n}\n"
    )
    d = compile_ruleset(text).run("input", pkt())
    assert (d[0].verdict, d[0].reject) == ("reject", "ICMP host-prohibited, type 3 code 10")


def test_ct_state_and_the_conntrack_of_an_echo() -> None:
    ct = Conntrack()
    first = ct.lookup((1, 1, 2, 7, 8))  # (proto, src, dst, echo id, type)
    assert first.state == "new" and first.entry is not None
    assert ct.lookup((1, 2, 1, 7, 0)).state == "invalid"  # not confirmed yet: nothing to answer
    ct.confirm(first)
    assert ct.lookup((1, 1, 2, 7, 8)).state == "new"  # confirmed, no reply seen yet
    assert ct.lookup((1, 2, 1, 8, 0)).state == "invalid"  # another echo id
    assert ct.lookup((1, 2, 1, 7, 0)).state == "established"
    assert ct.lookup((1, 1, 2, 7, 8)).state == "established"  # the same echo again, once answered
    text = (
        "table ip t {\n chain f {\n  type filter hook forward priority 0; policy drop;\n"
        "  ct state established,related accept\n  ct state new icmp type echo-request accept\n }\n}\n"
    )
    assert verdicts(text, "forward", pkt(ct="established"))[0][0] == "accept"
    assert verdicts(text, "forward", pkt(ct="new"))[0][0] == "accept"
    assert verdicts(text, "forward", pkt(typ=0, ct="invalid"))[0][0] == "drop"


@pytest.mark.parametrize(
    ("rules", "named"),
    [
        (
            "table ip nat {\n chain p {\n  type nat hook postrouting priority 100;\n  snat to 1.2.3.4-1.2.3.5\n }\n}",
            "ranges, prefixes and maps",
        ),
        (
            "table ip nat {\n chain p {\n  type nat hook postrouting priority 100;\n  masquerade random\n }\n}",
            "masquerade",
        ),
        ("table ip m {\n chain o {\n  type route hook output priority 0;\n }\n}", "type route"),
        ("table ip t {\n chain f {\n  type filter hook forward priority 0;\n  meta mark 1 drop\n }\n}", "meta mark"),
        (
            "table ip t {\n chain f {\n  type filter hook forward priority 0;\n  limit rate 1/second accept\n }\n}",
            "limit",
        ),
        (
            "table ip t {\n chain f {\n  type filter hook forward priority 0;\n  tcp option mss 1 drop\n }\n}",
            "tcp option",
        ),
        ("table ip t {\n chain f {\n  type filter hook forward priority 0;\n  ct mark 1 drop\n }\n}", "ct mark"),
        ("table ip t {\n set s {\n  type ipv4_addr\n }\n}", "set s"),
        ("table ip t {\n chain f {\n  type filter hook forward priority 0;\n  ip ttl 3 drop\n }\n}", "ip ttl"),
        ("table arp t {\n chain i {\n  type filter hook input priority 0;\n }\n}", "family arp"),
        ("table bridge t {\n chain i {\n  type filter hook input priority 0;\n }\n}", "family bridge"),
        ("table netdev t {\n chain i {\n  type filter hook ingress devices = { lo } priority 0;\n }\n}", "netdev"),
        ("table ip t {\n chain f {\n  type filter hook forward priority 0;\n  notrack\n }\n}", "notrack"),
    ],
)
def test_anything_outside_the_subset_is_named(rules, named) -> None:
    with pytest.raises(Unsupported, match=named):
        compile_ruleset(rules + "\n")


def _lab(ruleset: str, extra: str = "") -> str:
    body = "".join(f"      {ln}\n" for ln in ruleset.splitlines())
    return (
        "lab: t\nnodes:\n  a:\n    interfaces:\n      eth0: {kind: veth, peer: b/eth0, addresses: [192.0.2.1/24]}\n"
        f"{extra}    nftables: |\n{body}"
        "  b:\n    interfaces:\n      eth0: {kind: veth, peer: a/eth0, addresses: [192.0.2.2/24]}\n"
    )


def test_the_simulator_refuses_what_it_cannot_evaluate_naming_it() -> None:
    nat = "table ip t {\n chain f {\n  type filter hook forward priority 0;\n  meta mark 1 drop\n }\n}"
    why = sim_unsupported(load_text(_lab(nat)))
    assert why is not None and "node a's nftables ruleset" in why and "'meta mark'" in why
    # br_netfilter is simulated (tests/sim/test_br_netfilter.py); here no bridge: nothing bridged
    brnf = _lab("table ip t {\n}", "    sysctl: {net.bridge.bridge-nf-call-iptables: 1}\n")
    assert sim_unsupported(load_text(brnf)) is None
    assert sim_unsupported(load_text(_lab("table ip t {\n}"))) is None


def test_a_chain_before_conntrack_sees_no_state() -> None:
    # priority -300 on output: before nf_conntrack_in, 'ct state' reads invalid (nft_ct_get_eval)
    raw = (
        "table ip t {\n chain o {\n  type filter hook output priority -300; policy drop;\n"
        "  ct state invalid accept\n }\n}"
    )
    assert Simulator(load_text(_lab(raw))).probe("a", ["192.0.2.2"]) == {"192.0.2.2": True}
    late = raw.replace("-300", "0")
    assert Simulator(load_text(_lab(late))).probe("a", ["192.0.2.2"]) == {"192.0.2.2": False}


@pytest.mark.parametrize("path", NFT_LABS, ids=lambda p: p.name)
def test_the_nft_labs_keep_their_expectations_and_trace_names_the_rule(path) -> None:
    lab = load(path)
    assert sim_unsupported(lab) is None
    sim = Simulator(lab)
    for e in lab.expect:
        for res in sim.ping(e.from_, e.to, flush=True, proto=e.proto, port=e.port):
            assert res.ok == e.reach, (e.from_, res.dst)
            nft = [h for h in res.hops if h.rule in ("nft-drop", "nft-reject")]
            if not e.reach and not path.name.startswith("nft-nat-"):  # (NAT labs: no filter drops)
                # the filter's drop names table, chain, rule text and verdict
                assert nft, [str(h) for h in res.hops]
                assert "table " in (nft[0].why or "") and " chain " in (nft[0].why or "")
                assert nft[0].func is not None and nft[0].func.startswith("nf_hook_slow (NF_INET_")


def test_reject_says_what_the_client_gets() -> None:
    sim = Simulator(load(ROOT / "labs" / "nft-reject-vs-drop.yaml"))
    (c1,) = sim.ping("c1", "srv", flush=True)
    (c3,) = sim.ping("c3", "srv", flush=True)
    (c2,) = sim.ping("c2", "srv", flush=True)
    why = {r.src: next(h for h in r.hops if (h.rule or "").startswith("nft-")) for r in (c1, c2, c3)}
    assert why["c1"].rule == "nft-reject" and "ICMP port-unreachable, type 3 code 3" in (why["c1"].why or "")
    assert "rule 'ip saddr 192.0.2.1 icmp type echo-request reject with icmp port-unreachable' → reject" in (
        why["c1"].why or ""
    )
    assert why["c3"].rule == "nft-reject" and "admin-prohibited, type 3 code 13" in (why["c3"].why or "")
    assert why["c2"].rule == "nft-drop" and "→ drop" in (why["c2"].why or "")


def test_ct_state_not_equal_to_two_states_is_a_value_compare() -> None:
    """nft 1.0.6 makes 'ct state != new,established' a compare with the OR of the bits
    (cmp neq 0x0a): always true for a packet's single state bit."""
    text = "table ip t {\n chain i {\n  type filter hook input priority 0;\n  ct state != new,established drop\n }\n}\n"
    for state in ("new", "established", "invalid"):
        assert verdicts(text, "input", pkt(ct=state))[0][0] == "drop"
    one = text.replace("new,established", "established")
    assert verdicts(one, "input", pkt(ct="established"))[0][0] == "accept"
    assert verdicts(one, "input", pkt(ct="new"))[0][0] == "drop"


def test_anonymous_verdict_maps() -> None:
    text = (
        "table inet t {\n chain x {\n  ip daddr 198.51.100.9 drop\n }\n"
        " chain c {\n  type filter hook forward priority 0; policy drop;\n"
        "  ct state vmap { established : accept, invalid : drop }\n"
        '  iifname vmap { "lan*" : jump x, "dmz" : drop }\n'
        "  accept\n }\n}\n"
    )
    assert verdicts(text, "forward", pkt(ct="established"))[0][0] == "accept"
    assert verdicts(text, "forward", pkt(ct="invalid"))[0][0] == "drop"
    # no element matches: the next rule; jump x returns to the rule after the map
    assert verdicts(text, "forward", pkt(iif="wan"))[0][:2] == ("accept", "accept")
    assert verdicts(text, "forward", pkt(iif="lan3"))[0][:2] == ("accept", "accept")
    assert verdicts(text, "forward", pkt(dst="198.51.100.9", iif="lan3"))[0][:2] == (
        "drop",
        "ip daddr 198.51.100.9 drop",
    )
    assert verdicts(text, "forward", pkt(iif="dmz"))[0][0] == "drop"
    with pytest.raises(Unsupported, match="named map m"):
        compile_ruleset(
            "table ip t {\n map m {\n  type ipv4_addr : verdict\n }\n"
            " chain c {\n  type filter hook input priority 0;\n  ip saddr vmap @m\n }\n}\n"
        )


def test_a_ruleset_beside_vxlan_is_refused_udp_conntrack_is_not_modelled(run_cli) -> None:
    text = (ROOT / "labs" / "vxlan-remote.yaml").read_text()
    text = text.replace(
        "  v2:\n",
        "    nftables: |\n      table ip t {\n      }\n  v2:\n",
        1,
    )
    why = sim_unsupported(load_text(text))
    assert why is not None and "vxlan interfaces" in why and "v1/vx" in why


@pytest.mark.parametrize(
    ("ruleset", "named"),
    [
        ("table ip t {\n chain c {\n  type filter hook input priority 0;\n  meta mark 3 drop\n }\n}", "'meta mark'"),
        ("table arp t {\n chain c {\n  type filter hook input priority 0;\n }\n}", "family arp"),
    ],
)
def test_the_cli_exits_3_naming_the_expression(run_cli, tmp_path, ruleset, named) -> None:
    lab = tmp_path / "lab.yaml"
    lab.write_text(_lab(ruleset))
    for argv in (["matrix", str(lab)], ["trace", str(lab), "a", "b"], ["test", str(lab)]):
        code, out, err = run_cli(*argv)
        assert code == 3, (argv, code, out, err)
        assert "node a's nftables ruleset: the simulator does not evaluate" in err and named in err


def test_the_trace_says_an_ip6_table_plays_no_part() -> None:
    (res,) = Simulator(load(ROOT / "labs" / "nft-output-drop.yaml")).ping("h1", "h2", flush=True)
    assert res.ok
    assert any(h.verdict == "note" and "table ip6 v6 plays no part" in (h.why or "") for h in res.hops)
