"""Port probes on the real kernel (topology.md "Expectations on ports"): vnetlab's
responder listens, TCP and UDP, in every namespace; the client connects from the
source namespace. Checked against the simulator cell for cell, against real
clients (busybox nc, bash's /dev/udp), and for what a refusal costs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from vnetlab import load, load_text, resolve
from vnetlab.errors import EnvironmentProblem
from vnetlab.kernel import KernelLab, sandboxed_matrix
from vnetlab.model import Expectation
from vnetlab.sim import Simulator
from vnetlab.verify.expect import listened_ports

from .conftest import real_connect, serving

pytestmark = pytest.mark.skipif(shutil.which("nft") is None, reason="needs nft")

LAB = """
lab: kp
switches: {lan: {}, dmz: {}}
nodes:
  a:
    interfaces: {eth0: {kind: nic, switch: lan, addresses: [192.0.2.1/24]}}
    routes: [{to: default, via: 192.0.2.254}]
    nftables: |
      table ip out {
        chain output {
          type filter hook output priority 0; policy accept;
          tcp dport 25 drop
        }
      }
  r:
    interfaces:
      lan: {kind: nic, switch: lan, addresses: [192.0.2.254/24]}
      dmz: {kind: nic, switch: dmz, addresses: [198.51.100.254/24]}
    sysctl: {net.ipv4.ip_forward: 1}
    nftables: |
      table inet f {
        chain forward {
          type filter hook forward priority 0; policy accept;
          ct state established,related accept
          tcp dport 22 reject with tcp reset
          udp dport 5353 reject
          udp dport 9 drop
          iifname "dmz" ct state new drop
        }
      }
  b:
    interfaces: {eth0: {kind: nic, switch: dmz, addresses: [198.51.100.2/24, 198.51.100.3/24]}}
    routes: [{to: default, via: 198.51.100.254}]
"""


def _matrices(lab_text: str, probes: list[tuple[str, int]]) -> list[dict]:
    k = KernelLab(resolve(load_text(lab_text)))
    k.up()
    try:
        out = []
        for proto, port in probes:
            t = time.monotonic()
            m = k.matrix(proto, port)
            out.append({"json": m.as_json(), "wall": time.monotonic() - t, "retried": m.retried})
        return out
    finally:
        k.close()


PROBES = [("tcp", 80), ("tcp", 22), ("tcp", 25), ("udp", 53), ("udp", 5353), ("udp", 9)]


def test_kernel_port_matrices_equal_the_simulators(in_sandbox) -> None:
    got = in_sandbox(_matrices, LAB, PROBES)
    sim = Simulator(load_text(LAB))
    for (proto, port), k in zip(PROBES, got, strict=True):
        s = sim.matrix(proto, port).as_json()
        assert k["json"]["proto"] == proto and k["json"]["port"] == port
        assert k["json"]["rows"] == s["rows"], (proto, port)
        assert k["json"]["answered_by"] == s["answered_by"], (proto, port)
    by = {p: k["json"] for p, k in zip(PROBES, got, strict=True)}
    # what the ruleset says, on the kernel
    assert by[("tcp", 80)]["rows"]["a"]["198.51.100.2"]
    assert not by[("tcp", 80)]["rows"]["b"]["192.0.2.1"]  # new from dmz: dropped
    assert not by[("tcp", 22)]["rows"]["a"]["198.51.100.2"]  # reset
    assert by[("tcp", 22)]["rows"]["a"]["192.0.2.254"]  # the router's own port: input, not forward
    assert not by[("tcp", 25)]["rows"]["a"]["192.0.2.254"]  # a's output chain: EPERM
    assert by[("tcp", 25)]["rows"]["r"]["192.0.2.1"]
    assert by[("udp", 53)]["rows"]["a"]["198.51.100.3"]  # answered from the address it was sent to
    assert not by[("udp", 5353)]["rows"]["a"]["198.51.100.2"]
    assert not by[("udp", 9)]["rows"]["a"]["198.51.100.2"]


def test_a_refusal_is_quick_and_a_drop_takes_the_second(in_sandbox) -> None:
    lab = LAB.replace("lab: kp", "lab: kq")
    got = in_sandbox(_matrices, lab, [("tcp", 22), ("udp", 5353), ("udp", 9)])
    reset, unreachable, dropped = (g["wall"] for g in got)
    # a reset or an ICMP port unreachable ends a probe before its second; a silent drop does not
    assert dropped > 1.0
    assert reset < dropped and unreachable < dropped


def _udp_from_the_secondary(lab_text: str) -> tuple[str | None, str | None, dict]:
    r = resolve(load_text(lab_text))
    k = KernelLab(r)
    k.up()
    try:
        with serving({n: k.netns(n) for n in r.lab.nodes}, [53, 80]):
            udp = real_connect(k.netns("a"), "198.51.100.3", "udp", 53)
            tcp = real_connect(k.netns("a"), "198.51.100.3", "tcp", 80)
        return udp, tcp, k.answers("a", ["198.51.100.3", "198.51.100.2"], proto="udp", port=53)
    finally:
        k.close()


def test_real_clients_agree_with_the_probe(in_sandbox) -> None:
    """bash's /dev/udp is a connected socket: it only takes an answer from 198.51.100.3:53,
    so the responder must answer from the address the datagram was sent to (IP_PKTINFO)."""
    udp, tcp, ours = in_sandbox(_udp_from_the_secondary, LAB.replace("lab: kp", "lab: kr"))
    assert udp == "b" and tcp == "b"
    assert ours == {"198.51.100.3": "b", "198.51.100.2": "b"}


def test_port_probes_refuse_guests_with_exit_3() -> None:
    r = resolve(load(ROOT / "labs" / "tun-guest.yaml"))
    assert r.guests
    with pytest.raises(EnvironmentProblem, match="port probes"):
        sandboxed_matrix(r, "tcp", 80)
    # `test` reports such an expectation as skipped on the kernel (and checks it on the simulator)
    node = next(iter(r.lab.nodes))
    e = Expectation.model_validate({"from": node, "to": node, "proto": "tcp", "port": 80, "reach": True})
    assert "port probes" in (KernelLab(r).skip_reason(e) or "")
    echo = KernelLab(r).skip_reason(e.model_copy(update={"proto": "icmp", "port": None}))
    assert "port probes" not in (echo or "")  # (a lab that is not up has no guest daemon: its own reason)


def test_cli_diff_and_test_on_both_backends() -> None:
    """The command line as a user runs it (it sandboxes itself)."""
    exe = [sys.executable, "-m", "vnetlab"]
    for lab in ("nft-ports-web.yaml", "nft-ports-dns.yaml"):
        path = str(ROOT / "labs" / lab)
        p = subprocess.run([*exe, "test", path, "--backend", "both", "--json"], capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
        doc = json.loads(p.stdout)
        assert doc["passed"] and any(e.get("proto") == "tcp" or e.get("proto") == "udp" for e in doc["expectations"])
        p = subprocess.run(
            [*exe, "diff", path, "--proto", "tcp", "--port", "80", "--json"], capture_output=True, text=True
        )
        assert p.returncode == 0, p.stdout + p.stderr
        d = json.loads(p.stdout)
        assert d["agree"] and d["cells"] and not d["disagreements"]
    p = subprocess.run(
        [
            *exe,
            "matrix",
            str(ROOT / "labs" / "tun-guest.yaml"),
            "--backend",
            "kernel",
            "--proto",
            "tcp",
            "--port",
            "80",
        ],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 3 and "port probes" in p.stderr


def _evaluate(path: str) -> list[dict]:
    k = KernelLab(resolve(load(path)))
    k.up()
    try:
        return [o.as_dict() for o in k.evaluate(k.r.lab.expect)]
    finally:
        k.close()


def test_dnat_lands_on_the_translated_port_and_answered_by_names_it(in_sandbox) -> None:
    """Every node also listens on the port a NAT statement translates to (8080 here, read from
    nft's JSON): the connection to the router's port 80 lands on web:8080, and web answers."""
    path = ROOT / "tests" / "data" / "ports" / "dnat-answered-by.yaml"
    assert listened_ports(resolve(load(path)), 80) == {80, 53, 8080}
    outs = in_sandbox(_evaluate, str(path))
    assert [o["passed"] for o in outs] == [True, True, True]
    assert outs[0]["answered"] == {"192.0.2.1": "web", "198.51.100.1": "web"} and outs[2]["answered"] == {
        "192.0.2.1": "router",
        "198.51.100.1": "router",
    }


LAB6 = """
lab: kp6
switches: {lan: {}, dmz: {}}
nodes:
  a:
    interfaces: {eth0: {kind: nic, switch: lan, addresses: [192.0.2.1/24, "2001:db8:1::1/64"]}}
    routes: [{to: default, via: 192.0.2.254}, {to: default, via: "2001:db8:1::fe"}]
    nftables: |
      table ip6 out {
        chain output {
          type filter hook output priority 0; policy accept;
          tcp dport 25 drop
        }
      }
  r:
    interfaces:
      lan: {kind: nic, switch: lan, addresses: [192.0.2.254/24, "2001:db8:1::fe/64"]}
      dmz: {kind: nic, switch: dmz, addresses: [198.51.100.254/24, "2001:db8:2::fe/64"]}
    sysctl: {net.ipv4.ip_forward: 1, net.ipv6.conf.all.forwarding: 1}
    nftables: |
      table inet f {
        chain forward {
          type filter hook forward priority 0; policy accept;
          ct state established,related accept
          tcp dport 22 reject with tcp reset
          ip6 daddr 2001:db8:2::3 udp dport 53 drop
          iifname "dmz" ct state new drop
        }
      }
  b:
    interfaces: {eth0: {kind: nic, switch: dmz, addresses: [198.51.100.2/24, "2001:db8:2::2/64", "2001:db8:2::3/64"]}}
    routes: [{to: default, via: 198.51.100.254}, {to: default, via: "2001:db8:2::fe"}]
"""
PROBES6 = [("tcp", 80), ("tcp", 22), ("tcp", 25), ("udp", 53)]


def _matrices_and_real_clients6(lab_text: str) -> tuple[list[dict], tuple[str | None, ...]]:
    r = resolve(load_text(lab_text))
    k = KernelLab(r)
    k.timeout, k.retries = 0.5, 1  # a row with a dropped cell costs 1 s, not 3
    k.up()
    try:
        got = [k.matrix(p, n).as_json() for p, n in PROBES6]
        with serving({n: k.netns(n) for n in r.lab.nodes}, [53, 80]):
            real = (
                real_connect(k.netns("a"), "2001:db8:2::3", "udp", 80),
                real_connect(k.netns("a"), "2001:db8:2::3", "tcp", 80),
                real_connect(k.netns("r"), "2001:db8:2::2", "udp", 53),
            )
        return got, real
    finally:
        k.close()


def test_ipv6_port_matrices_equal_the_simulators_and_real_clients(in_sandbox) -> None:
    """Port probes to IPv6 addresses (kernel-semantics §11.10): the responder listens on ::,
    the client connects from a socket of the destination's family; a dual-stack lab whose
    rulesets treat the families differently, cell for cell against the simulator. Real
    clients agree: bash's /dev/udp (a connected socket) takes an answer only from the
    address it sent to, so the responder answers from the destination (IPV6_PKTINFO)."""
    got, (udp, tcp, udp_r) = in_sandbox(_matrices_and_real_clients6, LAB6)
    sim = Simulator(load_text(LAB6))
    for (proto, port), k in zip(PROBES6, got, strict=True):
        s = sim.matrix(proto, port).as_json()
        assert k["rows"] == s["rows"], (proto, port)
        assert k["answered_by"] == s["answered_by"], (proto, port)
    by = dict(zip(PROBES6, got, strict=True))
    assert by[("tcp", 80)]["rows"]["a"]["2001:db8:2::2"]
    assert by[("tcp", 80)]["answered_by"]["a"]["2001:db8:2::3"] == "b"
    assert not by[("tcp", 80)]["rows"]["b"]["2001:db8:1::1"]  # new from dmz: dropped (inet: both families)
    assert not by[("tcp", 22)]["rows"]["a"]["2001:db8:2::2"]  # reset
    assert by[("tcp", 22)]["rows"]["a"]["2001:db8:1::fe"]  # the router's own port: input, not forward
    assert by[("tcp", 25)]["rows"]["a"]["192.0.2.254"]  # a's ip6 output chain: IPv4 passes...
    assert not by[("tcp", 25)]["rows"]["a"]["2001:db8:1::fe"]  # ...IPv6 does not
    assert by[("udp", 53)]["rows"]["a"]["2001:db8:2::2"]  # answered from the address it was sent to
    assert not by[("udp", 53)]["rows"]["a"]["2001:db8:2::3"]  # ip6 daddr: dropped
    assert by[("udp", 53)]["rows"]["a"]["198.51.100.2"]
    assert udp == "b" and tcp == "b" and udp_r == "b"
