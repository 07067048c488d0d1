"""TCP and UDP port probes through NAT on the simulator (kernel-semantics §8, "TCP and UDP
through NAT"): conntrack's binding rewrites ports as the kernel does (snat/masquerade keep the
source port unless the tuple clashes, dnat/redirect to a port change the destination port),
replies are un-NATed from the entry, and what is not modelled exits 3."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from vnetlab import load, load_text
from vnetlab.cli.main import cli
from vnetlab.sim import Simulator
from vnetlab.sim.conntrack import DST, ORIGINAL, REPLY, SRC, Conntrack, invert
from vnetlab.sim.frame import ip_int
from vnetlab.sim.nft import ProbeUnsupported
from vnetlab.verify.trace import trace

needs_nft = pytest.mark.skipif(
    shutil.which("nft") is None or shutil.which("unshare") is None, reason="needs nft and unshare"
)

TCP = 6
A, B, R, S = ip_int("192.0.2.10"), ip_int("192.0.2.130"), ip_int("198.51.100.1"), ip_int("198.51.100.30")


def _new(ct: Conntrack, key: tuple[int, int, int, int, int]):
    c = ct.lookup(key)
    assert c.entry is not None and c.state == "new"
    return c


def test_masquerade_keeps_the_source_port_and_the_reply_is_un_natted() -> None:
    ct = Conntrack()
    c = _new(ct, (TCP, A, S, 40000, 80))
    ct.bind(c.entry, DST, None)
    ct.bind(c.entry, SRC, R)
    ct.confirm(c)
    assert c.entry.reply == (TCP, S, R, 80, 40000)  # nat_ports.sh A: sport 40000 kept
    assert Conntrack.rewrite(c.entry, ORIGINAL, SRC, A, S, 40000, 80) == (R, S, 40000, 80)
    rep = ct.lookup((TCP, S, R, 80, 40000), may_start=False)
    assert rep.entry is c.entry and rep.dir == REPLY and rep.state == "established"
    assert Conntrack.rewrite(c.entry, REPLY, DST, S, R, 80, 40000) == (S, A, 80, 40000)
    assert Conntrack.rewrite(c.entry, REPLY, SRC, S, A, 80, 40000) is None  # no DNAT to undo


@pytest.mark.parametrize(("sport", "lo", "hi"), [(40000, 1024, 65535), (700, 600, 1023), (300, 1, 511)])
def test_a_clashing_source_port_is_replaced_within_its_class(sport: int, lo: int, hi: int) -> None:
    """nf_nat_l4proto_unique_tuple: measured 40000 -> 8524, 700 -> 884, 300 -> 456 (nat_ports.sh B, C)."""
    ct = Conntrack()
    first = _new(ct, (TCP, A, S, sport, 81))
    ct.bind(first.entry, SRC, R)
    ct.confirm(first)
    second = _new(ct, (TCP, B, S, sport, 81))
    ct.bind(second.entry, SRC, R)
    ct.confirm(second)
    _, _, _, _, port = second.entry.reply
    assert port != sport and lo <= port <= hi
    assert second.entry.src_nat
    # each reply finds its own entry
    assert ct.lookup((TCP, S, R, 81, port)).entry is second.entry
    assert ct.lookup((TCP, S, R, 81, sport)).entry is first.entry


def test_dnat_to_an_address_and_port() -> None:
    ct = Conntrack()
    c = _new(ct, (17, S, R, 5000, 53))
    ct.bind(c.entry, DST, A, 5353)
    ct.bind(c.entry, SRC, None)
    assert c.entry.reply == invert((17, S, A, 5000, 5353)) and c.entry.dst_nat and not c.entry.src_nat
    assert Conntrack.rewrite(c.entry, ORIGINAL, DST, S, R, 5000, 53) == (S, A, 5000, 5353)
    # the answer from A:5353 leaves r from R:53 (source restored at postrouting)
    assert Conntrack.rewrite(c.entry, REPLY, SRC, A, S, 5353, 5000) == (R, S, 53, 5000)


def test_a_named_port_that_clashes_is_refused_not_guessed() -> None:
    """snat to ADDR:PORT keeps the port even when the tuple is taken; the kernel then drops the
    packet at confirm, or replaces an entry in TIME_WAIT and lets a retransmission through
    (nat_ports.sh F, F3, G; nat_port_clash_matrix.py): exit 3, naming the port."""
    ct = Conntrack()
    first = _new(ct, (TCP, A, S, 41000, 82))
    ct.bind(first.entry, SRC, R, 5000)
    ct.confirm(first)
    second = _new(ct, (TCP, B, S, 42000, 82))
    with pytest.raises(ProbeUnsupported, match="port 5000"):
        ct.bind(second.entry, SRC, R, 5000)


PORTFWD = ROOT / "labs" / "nft-nat-portfwd.yaml"


@needs_nft
def test_port_forward_lab_keeps_its_expectations_on_the_simulator() -> None:
    r = CliRunner().invoke(cli, ["test", str(PORTFWD), "--backend", "sim"])
    assert r.exit_code == 0, r.output
    sim = Simulator(load(PORTFWD))
    m = sim.matrix("tcp", 80)
    assert m.rows["outside"]["198.51.100.1"] and m.answered_by["outside"]["198.51.100.1"] == "server"
    assert m.answered_by["client"]["198.51.100.1"] == "server"  # hairpin DNAT + SNAT
    u = sim.matrix("udp", 53)
    assert u.answered_by["outside"]["198.51.100.1"] == "server"
    assert not u.rows["client"]["198.51.100.1"]  # hairpin without SNAT


@needs_nft
def test_trace_shows_the_port_rewrite_and_the_un_nat() -> None:
    res = trace(Simulator(load(PORTFWD)), "outside", "198.51.100.1", "tcp", 80).paths[0]
    assert res.reached
    nat = [h for h in res.hops if h.direction == "nat"]
    assert any("dnat to 192.0.2.20:8080" in (h.why or "") and "> 8080 [SYN]" in h.frame for h in nat)
    back = [h for h in nat if "un-NATed" in (h.why or "")]
    assert back and "198.51.100.1 > 198.51.100.30 TCP 80 >" in back[0].frame


REDIRECT = """
lab: redir
nodes:
  r:
    interfaces:
      wan: {kind: veth, peer: c/eth0, addresses: [198.51.100.1/24]}
    routes: [{to: 203.0.113.0/24, via: 198.51.100.30}]
    nftables: |
      table inet nat {
        chain pre {
          type nat hook prerouting priority dstnat; policy accept;
          tcp dport 2222 redirect to :22
        }
        chain out {
          type nat hook output priority -100; policy accept;
          ip daddr 203.0.113.5 udp dport 53 dnat ip to 198.51.100.30:5353
        }
      }
      table inet f {
        chain input {
          type filter hook input priority 0; policy accept;
          tcp dport 2222 drop
        }
      }
  c:
    interfaces:
      eth0: {kind: veth, peer: r/wan, addresses: [198.51.100.30/24]}
expect:
  - {from: c, to: r, proto: tcp, port: 2222, reach: true, why: "redirected to port 22 before the input chain"}
  - {from: r, to: 203.0.113.5, proto: udp, port: 53, reach: true, answered_by: c}
"""


@needs_nft
def test_redirect_to_a_port_and_output_dnat_of_udp() -> None:
    sim = Simulator(load_text(REDIRECT))
    assert sim.probe("c", ["198.51.100.1"], proto="tcp", port=2222) == {"198.51.100.1": True}
    assert sim.answers("r", ["203.0.113.5"], proto="udp", port=53) == {"203.0.113.5": "c"}
    # without the redirect the input chain drops port 2222
    plain = REDIRECT.replace("tcp dport 2222 redirect to :22", "")
    assert Simulator(load_text(plain)).probe("c", ["198.51.100.1"], proto="tcp", port=2222) == {"198.51.100.1": False}


@needs_nft
def test_cli_port_matrix_through_masquerade_is_simulated() -> None:
    lab = ROOT / "labs" / "nft-nat-masquerade.yaml"
    r = CliRunner().invoke(cli, ["matrix", str(lab), "--proto", "tcp", "--port", "80", "--json"])
    assert r.exit_code in (0, 1), r.output
    assert '"proto": "tcp"' in r.output


@needs_nft
def test_a_fixed_port_snat_clash_in_a_matrix_exits_3() -> None:
    lab = ROOT / "tests" / "data" / "ports" / "nat-port-clash.yaml"
    sim = Simulator(load(lab))
    assert sim.probe("a", ["198.51.100.10"], proto="tcp", port=80) == {"198.51.100.10": True}
    with pytest.raises(ProbeUnsupported, match="port 5000"):
        sim.probe("c", ["198.51.100.10"], proto="tcp", port=80)
    r = CliRunner().invoke(cli, ["matrix", str(lab), "--proto", "udp", "--port", "53"])
    assert r.exit_code == 3 and "port 5000" in r.output, r.output
    # echo and a port nothing translates are simulated
    assert CliRunner().invoke(cli, ["matrix", str(lab), "--proto", "tcp", "--port", "22"]).exit_code in (0, 1)
    # trace follows the matrix: the cell's row starts from the earlier rows' conntrack
    r = CliRunner().invoke(cli, ["trace", str(lab), "c", "198.51.100.10", "--proto", "tcp", "--port", "80"])
    assert r.exit_code == 3 and "port 5000" in r.output, r.output
