"""Options no lab in labs/ uses, through the plan and every text export: a switch with
its own address, a bridge's default PVID, an explicit VLAN MAC, a veth peer's MTU, a
nic's MTU, a route metric and IP forwarding. Each must reach the plan (what `up`
applies), the ip script and the networkd files: an option dropped by one of them
is a lab that builds differently depending on how it is built."""

from __future__ import annotations

import re

import pytest

from vnetlab import load_text, resolve
from vnetlab.export.ip_batch import to_script
from vnetlab.export.networkd import to_text
from vnetlab.plan.build import build_plan

LAB = """\
lab: extras
switches:
  lan:
    addresses: [192.0.2.254/24]
nodes:
  a:
    sysctl: {net.ipv4.ip_forward: 1}
    interfaces:
      eth0: {kind: nic, switch: lan, addresses: [192.0.2.1/24], mtu: 1400}
      br0: {kind: bridge, vlan_filtering: true, default_pvid: 10, addresses: [198.51.100.1/24]}
      v1: {kind: veth, peer: b/v1, master: br0}
      eth0.7: {kind: vlan, parent: eth0, id: 7, mac: "02:00:00:00:07:01", addresses: [203.0.113.1/24]}
    routes:
      - {to: 198.18.0.0/15, via: 192.0.2.2, metric: 50}
  b:
    interfaces:
      v1: {kind: veth, peer: a/v1, mtu: 1300, addresses: [198.51.100.2/24]}
      eth0: {kind: nic, switch: lan, addresses: [192.0.2.2/24]}
"""


@pytest.fixture(scope="module")
def r():
    return resolve(load_text(LAB, "extras.yaml"))


def _steps(r, op: str, obj: str | None = None):
    return [s for s in build_plan(r) if s.op == op and (obj is None or s.obj == obj)]


def test_the_plan_carries_every_option(r) -> None:
    (sw_addr,) = [s for s in _steps(r, "addr") if s.ns == "lan"]
    assert sw_addr.args["address"] == "192.0.2.254/24" and sw_addr.describe() == "add address 192.0.2.254/24 dev sw"
    (br,) = _steps(r, "link", "br0")
    assert br.args["vlan_filtering"] is True and br.args["default_pvid"] == 10
    (vlan,) = _steps(r, "link", "eth0.7")
    assert vlan.args["mac"] == "02:00:00:00:07:01" and vlan.args["id"] == 7
    (veth,) = [s for s in _steps(r, "link", "v1") if s.ns == "a"]
    assert veth.args["peer_mtu"] == 1300 and veth.args["peer_ns"] == "b"
    (route,) = _steps(r, "route")
    assert route.describe() == "add route 198.18.0.0/15 via 192.0.2.2 metric 50"
    # b's end of the veth is made by a's step: b has no link step of its own for it
    assert [s for s in _steps(r, "link", "v1") if s.ns == "b"] == []


def test_the_ip_script_carries_every_option(r) -> None:
    text = to_script(r)
    line = text.index("address add 192.0.2.254/24 dev sw\n")
    assert text.rindex("-batch", 0, line) == text.rindex("ip -n extras-lan -batch", 0, line) + len("ip -n extras-lan ")
    assert re.search(r"type bridge .*vlan_filtering 1 vlan_default_pvid 10", text)
    assert "link add name eth0.7 link eth0 address 02:00:00:00:07:01 type vlan id 7" in text
    assert re.search(r"link add name v1 .* type veth peer name v1 address \S+ mtu 1300 netns extras-b", text)
    assert re.search(r"link add name eth0 address \S+ mtu 1400 type veth", text)
    assert "route add 198.18.0.0/15 via 192.0.2.2 metric 50" in text
    assert "ip netns exec extras-a sysctl -qw net.ipv4.ip_forward=1" in text


def _section(text: str, name: str) -> str:
    start = text.index(f"### {name}\n")
    end = text.find("\n### ", start + 1)
    return text[start : end if end >= 0 else None]


def test_networkd_carries_every_option(r) -> None:
    text = to_text(r)
    assert "MTUBytes=1300" in _section(text, "b/10-v1.netdev")
    for name in ("a/10-eth0.network", "a/11-br0.network", "a/13-eth0.7.network"):
        assert "IPForward=ipv4" in _section(text, name)
    assert "IPForward" not in _section(text, "b/11-eth0.network")
    assert re.search(r"\[Route\]\nDestination=198\.18\.0\.0/15\nGateway=192\.0\.2\.2\nMetric=50", text)
    assert "MACAddress=02:00:00:00:07:01" in text


def test_networkd_sets_a_nics_mtu(r) -> None:
    assert "[Link]\nActivationPolicy=up\nMTUBytes=1400\n" in _section(to_text(r), "a/10-eth0.network")
