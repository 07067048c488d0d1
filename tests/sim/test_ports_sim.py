"""Port probes on the simulator (topology.md "Expectations on ports"): a minimal
TCP (SYN -> SYN/ACK from a listener, else RST) and UDP (a datagram answered from
the address and port it was sent to), every node listening on the probed port,
and nftables' tcp/udp/th port matches deciding what passes."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from vnetlab import load_text, simulate
from vnetlab.cli.main import cli
from vnetlab.sim import Simulator
from vnetlab.verify.trace import trace

pytestmark = pytest.mark.skipif(
    shutil.which("nft") is None or shutil.which("unshare") is None, reason="needs nft and unshare"
)

LAB = """
lab: p
switches: {lan: {}}
nodes:
  a:
    interfaces: {eth0: {kind: nic, switch: lan, addresses: [192.0.2.1/24]}}
  b:
    interfaces: {eth0: {kind: nic, switch: lan, addresses: [192.0.2.2/24, 192.0.2.3/24]}}
    nftables: |
      table inet f {
        chain input {
          type filter hook input priority 0; policy accept;
%s
        }
      }
"""


def sim_with(rules: str) -> Simulator:
    return Simulator(load_text(LAB % rules))


def test_every_node_listens_tcp_and_udp_and_names_itself() -> None:
    sim = sim_with("")
    for proto in ("tcp", "udp"):
        m = sim.matrix(proto, 8080)
        assert all(all(row.values()) for row in m.rows.values()), proto
        assert m.answered_by["a"] == {"192.0.2.1": "a", "192.0.2.2": "b", "192.0.2.3": "b"}
        doc = m.as_json()
        assert (doc["proto"], doc["port"]) == (proto, 8080)
    assert "proto" not in sim.matrix().as_json()  # an echo matrix keeps its v1 shape


@pytest.mark.parametrize(
    ("rule", "blocked"),
    [
        ("tcp dport 22 drop", {("tcp", 22)}),
        ("tcp dport { 22, 443 } drop", {("tcp", 22), ("tcp", 443)}),
        ("tcp dport 20-30 reject with tcp reset", {("tcp", 22)}),
        ("udp dport 53 reject", {("udp", 53)}),
        ("th dport 22 drop", {("tcp", 22), ("udp", 22)}),
        ("meta l4proto udp drop", {("udp", 22), ("udp", 53), ("udp", 443)}),
        ("tcp dport != 443 drop", {("tcp", 22), ("tcp", 53)}),
        ("udp sport 53 drop", set()),  # the client's source port is ephemeral
    ],
)
def test_port_matches_decide(rule: str, blocked: set[tuple[str, int]]) -> None:
    sim = sim_with(f"          {rule}")
    for proto in ("tcp", "udp"):
        for port in (22, 53, 443):
            got = sim.probe("a", ["192.0.2.2"], proto=proto, port=port)["192.0.2.2"]
            assert got is ((proto, port) not in blocked), (rule, proto, port)
    assert sim.probe("a", ["192.0.2.2"])["192.0.2.2"]  # ICMP is not a port


def test_stateful_input_lets_answers_back_only_for_allowed_connections() -> None:
    rules = "          ct state established,related accept\n          tcp dport 80 accept\n          drop"
    text = (LAB % "").replace("switches", "switches", 1)
    # a filters its input statefully; b answers a's connections to b, but b's own connections to a are dropped
    lab = load_text(
        text.replace(
            "    interfaces: {eth0: {kind: nic, switch: lan, addresses: [192.0.2.1/24]}}",
            "    interfaces: {eth0: {kind: nic, switch: lan, addresses: [192.0.2.1/24]}}\n"
            "    nftables: |\n      table ip f {\n        chain input {\n"
            "          type filter hook input priority 0; policy accept;\n" + rules + "\n        }\n      }",
        )
    )
    sim = Simulator(lab)
    assert sim.probe("a", ["192.0.2.2"], proto="tcp", port=22)["192.0.2.2"]  # the SYN/ACK is established
    assert sim.probe("b", ["192.0.2.1"], proto="tcp", port=80)["192.0.2.1"]
    assert not sim.probe("b", ["192.0.2.1"], proto="tcp", port=22)["192.0.2.1"]
    assert sim.probe("a", ["192.0.2.2"], proto="udp", port=53)["192.0.2.2"]  # UDP answers are established too


def test_reset_and_unreachable_where_nobody_listens() -> None:
    sim = sim_with("")
    assert sim.probe("a", ["192.0.2.2"], proto="tcp", port=80)["192.0.2.2"]
    sim.world.stacks["b"].listen = frozenset()  # nobody listens on b now
    res = sim.ping("a", "192.0.2.2", proto="tcp", port=80)[0]
    assert not res.ok
    assert any(h.verdict == "reset" for h in res.hops) and any("[RST/ACK]" in h.frame for h in res.hops)
    assert [h.rule for h in res.drops if h.rule == "tcp-refused"]
    res = sim.ping("a", "192.0.2.2", proto="udp", port=80)[0]
    assert not res.ok and [h.rule for h in res.drops] == ["udp-no-socket"]


def test_trace_names_the_rule_and_the_handshake() -> None:
    sim = sim_with("          tcp dport 22 reject with tcp reset")
    t = trace(sim, "a", "192.0.2.2", "tcp", 22)
    (path,) = t.paths
    assert not path.reached
    assert any("tcp dport 22 reject with tcp reset" in (h.why or "") for h in path.hops)
    ok = trace(sim, "a", "192.0.2.2", "tcp", 80).paths[0]
    assert ok.reached and any("SYN/ACK" in h.frame for h in ok.hops)


def test_udp_answer_comes_from_the_address_it_was_sent_to() -> None:
    sim = sim_with("")
    res = sim.ping("a", "192.0.2.3", proto="udp", port=53)[0]
    assert res.ok
    answer = [h for h in res.hops if "192.0.2.3 > 192.0.2.1 UDP 53 >" in h.frame]
    assert answer, [h.frame for h in res.hops]


def test_expectations_check_port_and_answered_by() -> None:
    lab = load_text(
        LAB % "          tcp dport 22 drop"
        + """expect:
  - {from: a, to: b, proto: tcp, port: 80, reach: true, answered_by: b}
  - {from: a, to: b, proto: tcp, port: 22, reach: false}
  - {from: a, to: b, proto: udp, port: 22, reach: true}
  - {from: a, to: b, proto: tcp, port: 80, reach: true, answered_by: a}
"""
    )
    outs = simulate(lab).evaluate()
    assert [o.passed for o in outs] == [True, True, True, False]
    assert outs[3].wrong_answerer == ["192.0.2.2", "192.0.2.3"]
    assert outs[0].as_dict()["answered"] == {"192.0.2.2": "b", "192.0.2.3": "b"}


def test_cli_matrix_trace_and_test_take_proto_and_port(tmp_path) -> None:
    lab = ROOT / "labs" / "nft-ports-web.yaml"
    run = CliRunner().invoke
    r = run(cli, ["matrix", str(lab), "--proto", "tcp", "--port", "80", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["proto"] == "tcp" and doc["port"] == 80
    assert doc["rows"]["client"]["198.51.100.80"] and not doc["rows"]["web"]["192.0.2.10"]
    assert doc["answered_by"]["client"]["198.51.100.80"] == "web"
    r = run(cli, ["matrix", str(lab), "--proto", "tcp", "--port", "22", "--json"])
    assert not json.loads(r.output)["rows"]["client"]["198.51.100.80"]
    r = run(cli, ["trace", str(lab), "client", "web", "--proto", "tcp", "--port", "22"])
    assert r.exit_code == 1 and "policy drop" in r.output
    assert run(cli, ["trace", str(lab), "client", "web", "--proto", "tcp", "--port", "80"]).exit_code == 0
    assert run(cli, ["test", str(lab)]).exit_code == 0
    for bad in (["--proto", "tcp"], ["--port", "80"], ["--proto", "udp", "--port", "0"]):
        r = run(cli, ["matrix", str(lab), *bad])
        assert r.exit_code == 2, (bad, r.output)


def test_a_tcp_field_the_simulator_does_not_model_is_refused_for_tcp_probes() -> None:
    from vnetlab.errors import EnvironmentProblem

    sim = sim_with("          tcp flags syn drop")
    assert sim.probe("a", ["192.0.2.2"])["192.0.2.2"]  # an echo request never meets 'meta l4proto tcp'
    assert sim.probe("a", ["192.0.2.2"], proto="udp", port=53)["192.0.2.2"]
    with pytest.raises(EnvironmentProblem, match="'tcp flags'"):
        sim.probe("a", ["192.0.2.2"], proto="tcp", port=80)
    r = CliRunner().invoke(
        cli, ["matrix", "-", "--proto", "tcp", "--port", "80"], input=LAB % "          tcp flags syn drop"
    )
    assert r.exit_code == 3 and "tcp flags" in r.output, r.output


def test_nodes_also_listen_on_the_ports_nat_translates_to() -> None:
    from vnetlab import resolve
    from vnetlab.verify.expect import listened_ports

    nat = """
lab: n
nodes:
  a:
    interfaces: {eth0: {kind: veth, peer: b/eth0, addresses: [192.0.2.1/24]}}
    nftables: |
      table ip nat {
        chain pre {
          type nat hook prerouting priority dstnat;
          tcp dport 80 redirect to :8080
          udp dport 53 dnat to 192.0.2.9:5353
          tcp dport 443 dnat to 192.0.2.9:http
        }
      }
  b:
    interfaces: {eth0: {kind: veth, peer: a/eth0, addresses: [192.0.2.2/24]}}
expect:
  - {from: b, to: a, proto: udp, port: 9999, reach: true}
"""
    assert listened_ports(resolve(load_text(nat)), 22) == {22, 9999, 8080, 5353, 80}
