"""Port probes to IPv6 addresses on the simulator (issues #13, #14; kernel-semantics §11.10):
the same minimal TCP and UDP as IPv4's, carried by Stack6 through routing, ND, the ip6/inet
filter chains and conntrack; what the simulator does not evaluate is refused (exit 3)."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from vnetlab import load_text, simulate
from vnetlab.cli.main import cli
from vnetlab.errors import EnvironmentProblem
from vnetlab.sim import Simulator
from vnetlab.sim.frame import encode
from vnetlab.verify.trace import trace

pytestmark = pytest.mark.skipif(
    shutil.which("nft") is None or shutil.which("unshare") is None, reason="needs nft and unshare"
)

LAB = """
lab: p6
switches: {lan: {}}
nodes:
  a:
    interfaces: {eth0: {kind: nic, switch: lan, addresses: [192.0.2.1/24, "2001:db8::1/64"]}}
  b:
    interfaces: {eth0: {kind: nic, switch: lan, addresses: [192.0.2.2/24, "2001:db8::2/64", "2001:db8::3/64"]}}
    nftables: |
      table %s f {
        chain input {
          type filter hook input priority 0; policy accept;
%s
        }
      }
"""


def sim_with(rules: str, family: str = "inet") -> Simulator:
    return Simulator(load_text(LAB % (family, rules)))


def test_tcp_and_udp_reach_an_ipv6_listener_and_name_it() -> None:
    sim = sim_with("")
    for proto in ("tcp", "udp"):
        m = sim.matrix(proto, 80).as_json()
        assert m["rows"]["a"]["2001:db8::2"] and m["rows"]["a"]["2001:db8::3"], proto
        assert m["answered_by"]["a"]["2001:db8::3"] == "b"
        assert m["rows"]["b"]["2001:db8::1"] and m["answered_by"]["b"]["2001:db8::2"] == "b"  # its own, through lo


@pytest.mark.parametrize(
    ("family", "rule", "tcp22", "udp53", "tcp22_v4"),
    [
        ("inet", "tcp dport 22 drop", False, True, False),
        ("ip6", "tcp dport 22 drop", False, True, True),  # an ip6 table never sees IPv4
        ("ip", "tcp dport 22 drop", True, True, False),  # an ip table never sees IPv6
        ("inet", "meta l4proto { tcp, udp } th dport { 22, 53 } reject", False, False, False),
        ("inet", "ip6 daddr 2001:db8::2 udp dport 53 drop", True, False, True),
        ("inet", "ip6 nexthdr udp drop", True, False, True),
    ],
)
def test_ip6_and_inet_chains_decide(family: str, rule: str, tcp22: bool, udp53: bool, tcp22_v4: bool) -> None:
    sim = sim_with("          " + rule, family)
    assert sim.probe("a", ["2001:db8::2"], proto="tcp", port=22)["2001:db8::2"] is tcp22
    assert sim.probe("a", ["2001:db8::2"], proto="udp", port=53)["2001:db8::2"] is udp53
    assert sim.probe("a", ["192.0.2.2"], proto="tcp", port=22)["192.0.2.2"] is tcp22_v4


def test_conntrack_lets_answers_back_for_allowed_connections_only() -> None:
    lab = LAB.replace("    nftables: |\n      table %s f", "    nftables: |\n      table inet f", 1)
    lab = lab.replace("  a:\n    interfaces", "  a:\n    nftables: |\n" + _STATEFUL + "    interfaces", 1)
    sim = Simulator(load_text(lab.replace("%s\n", "", 1)))
    assert sim.probe("a", ["2001:db8::2"], proto="tcp", port=80)["2001:db8::2"]  # a's answer is established
    assert sim.probe("a", ["2001:db8::2"], proto="udp", port=53)["2001:db8::2"]
    assert not sim.probe("b", ["2001:db8::1"], proto="tcp", port=80)["2001:db8::1"]  # new into a: dropped
    assert not sim.probe("b", ["192.0.2.1"], proto="udp", port=80)["192.0.2.1"]  # inet: IPv4 too


_STATEFUL = """      table inet s {
        chain input {
          type filter hook input priority 0; policy drop;
          ct state established,related accept
          icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
        }
      }
"""


def test_trace_explains_the_handshake_and_the_rule() -> None:
    sim = sim_with("          tcp dport 22 reject with tcp reset")
    bad = trace(sim, "a", "2001:db8::2", "tcp", 22).paths[0]
    assert not bad.reached
    assert any("tcp dport 22 reject with tcp reset" in (h.why or "") for h in bad.hops)
    ok = trace(sim, "a", "2001:db8::2", "tcp", 80).paths[0]
    assert ok.reached
    assert any("SYN/ACK" in h.frame and "IPv6 2001:db8::2 > 2001:db8::1" in h.frame for h in ok.hops)
    assert any("neighbor solicitation" in h.frame for h in ok.hops)  # ND first, as for the echo


def test_nobody_listening_gives_a_reset_or_a_port_unreachable() -> None:
    sim = sim_with("")
    assert sim.probe("a", ["2001:db8::2"], proto="tcp", port=80)["2001:db8::2"]
    sim.world.stacks["b"].listen = frozenset()  # nobody listens on b now
    res = sim.ping("a", "2001:db8::2", proto="tcp", port=80)[0]
    assert not res.ok and any(h.rule == "tcp-refused" for h in res.drops)
    res = sim.ping("a", "2001:db8::2", proto="udp", port=80)[0]
    assert not res.ok and [(h.rule, h.func) for h in res.drops] == [("udp-no-socket", "__udp6_lib_rcv")]


def test_udp_answer_comes_from_the_address_it_was_sent_to_and_pcap_encodes_it() -> None:
    sim = sim_with("")
    with sim.capture("a/eth0") as caps:
        res = sim.ping("a", "2001:db8::3", proto="udp", port=53)[0]
    assert res.ok
    assert any("IPv6 2001:db8::3 > 2001:db8::1 UDP 53 >" in h.frame for h in res.hops)
    frames = [encode(f) for f in caps["a/eth0"]]
    assert any(f[12:14] == b"\x86\xdd" and f[20] == 17 for f in frames)  # next header UDP
    with sim.capture("a/eth0") as caps:
        assert sim.ping("a", "2001:db8::3", proto="tcp", port=80)[0].ok
    assert any(f[12:14] == b"\x86\xdd" and f[20] == 6 for f in map(encode, caps["a/eth0"]))


def test_expectations_on_ipv6_ports() -> None:
    lab = load_text(
        LAB % ("inet", "          tcp dport 22 drop")
        + """expect:
  - {from: a, to: "2001:db8::3", proto: tcp, port: 80, reach: true, answered_by: b}
  - {from: a, to: "2001:db8::3", proto: tcp, port: 22, reach: false}
  - {from: a, to: b, proto: udp, port: 22, reach: true}
"""
    )
    assert [o.passed for o in simulate(lab).evaluate()] == [True, True, True]


def test_an_ip6_field_the_simulator_does_not_model_is_refused_with_exit_3() -> None:
    sim = sim_with("          ip6 hoplimit 64 tcp dport 22 drop")
    with pytest.raises(EnvironmentProblem, match="ip6 hoplimit"):
        sim.probe("a", ["2001:db8::2"], proto="tcp", port=22)
    r = CliRunner().invoke(
        cli, ["matrix", "-", "--proto", "tcp", "--port", "22"], input=LAB % ("inet", "          ip6 hoplimit 64 drop")
    )
    assert r.exit_code == 3 and "hoplimit" in r.output, r.output


LINK_LOCAL = """
lab: ll
switches: {lan: {}, far: {}}
nodes:
  h:
    interfaces: {eth0: {kind: nic, switch: lan, mac: "02:00:00:00:a6:01"}}
    routes: [{to: "2001:db8:9::/64", via: "fe80::ff:fe00:a603", dev: eth0}]
  r:
    interfaces:
      e0: {kind: nic, switch: far, mac: "02:00:00:00:a6:02", addresses: ["2001:db8:9::1/64"]}
      e1: {kind: nic, switch: lan, mac: "02:00:00:00:a6:03", addresses: ["2001:db8:1::1/64"]}
"""


@pytest.mark.parametrize("proto", ["tcp", "udp"])
def test_an_answer_to_a_link_local_peer_leaves_by_the_device_the_probe_came_in_on(proto: str) -> None:
    """h has no global address: its probe leaves from its link-local address. r's SYN/ACK, RST
    or UDP answer to a link-local peer is routed through the input device (tcp_v6_init_req's
    ir_iif, tcp_v6_send_response, the UDP peer's scope id), not by the first fe80::/64 route
    (e0's, which leads elsewhere): reached, as on the kernel (found by the port fuzzer)."""
    sim = Simulator(load_text(LINK_LOCAL))
    res = sim.ping("h", "2001:db8:9::1", proto=proto, port=80)[0]
    assert res.ok
    assert not any(h.device == "r/e0" and h.direction == "tx" for h in res.hops)
