"""A lab route identical to one the kernel makes from an address (issue #12 item 4): `up` no
longer fails with "File exists", a second `up` changes nothing, the kernel keeps its own
route (proto kernel), the matrix equals the simulator's, and `export --format ip` runs.
The rule and its experiment: docs/kernel-semantics.md "Routes the kernel derives"."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from vnetlab import load, load_text, resolve
from vnetlab.kernel import KernelLab
from vnetlab.sim import Simulator

from .conftest import ip_json, netns_list

#: a - b - c, b routes; a states the kernel's own routes as `import` and `ip route` output write them
LAB = """\
lab: rtk
nodes:
  a:
    interfaces:
      eth0: {kind: veth, peer: b/eth0, addresses: [192.0.2.1/24, "2001:db8:1::1/64"]}
    routes:
      - {to: 192.0.2.0/24, dev: eth0}
      - {to: 192.0.2.0/24, dev: eth0, metric: 0}
      - {to: "2001:db8:1::/64", dev: eth0, metric: 256}
      - {to: "fe80::/64", dev: eth0, metric: 256}
      - {to: 198.51.100.0/24, via: 192.0.2.2}
      - {to: "2001:db8:2::/64", via: "2001:db8:1::2"}
  b:
    interfaces:
      eth0: {kind: veth, peer: a/eth0, addresses: [192.0.2.2/24, "2001:db8:1::2/64"]}
      eth1: {kind: veth, peer: c/eth0, addresses: [198.51.100.1/24, "2001:db8:2::1/64"]}
    routes:
      - {to: 198.51.100.0/24, dev: eth1}
      - {to: "2001:db8:2::/64", dev: eth1, metric: 256}
    sysctl: {net.ipv4.ip_forward: 1, net.ipv6.conf.all.forwarding: 1}
  c:
    interfaces:
      eth0: {kind: veth, peer: b/eth1, addresses: [198.51.100.2/24, "2001:db8:2::2/64"]}
    routes:
      - {to: default, via: 198.51.100.1}
      - {to: default, via: "2001:db8:2::1"}
      - {to: "fe80::/64", dev: eth0, metric: 256}
"""


def _routes(ns: str) -> list[tuple]:
    return sorted(
        (r.get("dst"), r.get("gateway"), r.get("dev"), r.get("metric", 0), r.get("protocol"))
        for fam in ("-4", "-6")
        for r in ip_json(ns, fam, "route", "show")
    )


def _up(path: str) -> dict:
    r = resolve(load(path))
    k = KernelLab(r)
    out: dict = {"status": k.up()}
    out["again"] = KernelLab(resolve(load(path))).up()
    out["routes"] = {n: _routes(k.netns(n)) for n in r.lab.nodes}
    out["matrix"] = k.matrix().rows
    k.down()
    return out


def _script(path: str) -> dict:
    script = subprocess.run(
        [sys.executable, "-m", "vnetlab", "export", path, "--format", "ip"], capture_output=True, text=True, check=True
    ).stdout
    p = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=False)
    return {"rc": p.returncode, "err": p.stderr, "routes": {ns: _routes(ns) for ns in netns_list()}}


@pytest.mark.skipif(shutil.which("ping") is None, reason="needs iputils-ping")
def test_routes_identical_to_the_kernels_come_up_idempotent_and_as_simulated(in_sandbox, tmp_path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(LAB)
    f = in_sandbox(_up, str(path))
    assert f["status"] == "created" and f["again"] == "no changes"
    a = f["routes"]["a"]
    # the kernel's own routes stay its own, once each (metric 0 is IPv4's, 256 IPv6's)
    assert a.count(("192.0.2.0/24", None, "eth0", 0, "kernel")) == 1, a
    assert [x for x in a if x[0] == "192.0.2.0/24"] == [("192.0.2.0/24", None, "eth0", 0, "kernel")]
    assert [x for x in a if x[0] == "2001:db8:1::/64"] == [("2001:db8:1::/64", None, "eth0", 256, "kernel")]
    assert [x for x in a if x[0] == "fe80::/64"] == [("fe80::/64", None, "eth0", 256, "kernel")]
    assert ("198.51.100.0/24", "192.0.2.2", "eth0", 0, "static") in a  # the lab's other routes are made
    sim = Simulator(resolve(load(path))).matrix().rows
    assert f["matrix"] == sim
    assert f["matrix"]["a"]["198.51.100.2"] and f["matrix"]["a"]["2001:db8:2::2"]  # through b, both families
    g = in_sandbox(_script, str(path))
    assert g["rc"] == 0, g["err"]
    assert g["routes"]["rtk-a"] == a


def _sh(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def _hand_made_then_import() -> str:
    """Two namespaces built by hand, whose prefix routes were re-stated (`ip route replace`
    makes them proto static): `import` writes them as the lab's routes."""
    for ns in ("ha", "hb"):
        _sh("ip", "netns", "add", ns)
    _sh("ip", "-n", "ha", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", "hb")
    for ns, n in (("ha", 1), ("hb", 2)):
        _sh("ip", "-n", ns, "addr", "add", f"192.0.2.{n}/24", "dev", "eth0")
        _sh("ip", "-n", ns, "addr", "add", f"2001:db8:1::{n}/64", "dev", "eth0", "nodad")
        _sh("ip", "-n", ns, "link", "set", "eth0", "up")
    _sh("ip", "-n", "ha", "route", "replace", "192.0.2.0/24", "dev", "eth0", "proto", "static")
    _sh(
        "ip", "-n", "ha", "-6", "route", "replace", "2001:db8:1::/64", "dev", "eth0", "metric", "256", "proto", "static"
    )
    return subprocess.run(
        [sys.executable, "-m", "vnetlab", "import", "--all", "--lab", "imp"], capture_output=True, text=True, check=True
    ).stdout


def test_import_of_restated_prefix_routes_validates_and_comes_up(in_sandbox, tmp_path) -> None:
    text = in_sandbox(_hand_made_then_import)
    lab = load_text(text, "imported.yaml")  # validates (it raised "File exists" at `up` before)
    node = next(n for n in lab.nodes.values() if n.routes)
    assert {(r.to, r.dev, r.via) for r in node.routes} >= {
        ("192.0.2.0/24", "eth0", None),
        ("2001:db8:1::/64", "eth0", None),
    }
    path = tmp_path / "imported.yaml"
    path.write_text(text)
    f = in_sandbox(_up, str(path))
    assert f["status"] == "created" and f["again"] == "no changes"
    assert all(f["matrix"][s][t] for s in f["matrix"] for t in f["matrix"][s]), f["matrix"]
