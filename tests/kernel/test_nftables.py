"""A node's ruleset on the kernel: applied in its namespace (nft -f -, last),
idempotent, visible to `vnetlab exec … nft list ruleset`, judged by real ping;
br_netfilter's calls are 0 in every namespace unless the node says 1; import
reads the ruleset back and the imported lab applies the same one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from vnetlab import load, load_text, resolve
from vnetlab.kernel import KernelLab

from .conftest import real_ping

pytestmark = pytest.mark.skipif(
    shutil.which("nft") is None or shutil.which("ping") is None, reason="needs nft and iputils-ping"
)

ROUTER = str(ROOT / "labs" / "router-filter.yaml")
BRIDGE_NF = "/proc/sys/net/bridge"


def _vnetlab(*args: str) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout, p.stderr


def _listing(ns: str) -> str:
    return subprocess.run(
        ["ip", "netns", "exec", ns, "nft", "list", "ruleset"], capture_output=True, text=True, check=True
    ).stdout


def _router() -> dict:
    r = resolve(load(ROUTER))
    k = KernelLab(r)
    facts: dict = {"up": _vnetlab("up", ROUTER)[0], "again": _vnetlab("up", ROUTER)}
    facts["exec"] = _vnetlab("exec", "rfilter", "r", "--", "nft", "list", "ruleset")
    facts["others"] = [_listing(k.netns(n)) for n in ("a", "b")]
    facts["ping"] = {
        (src, dst): real_ping(k.netns(src), dst)
        for src, dst in [("a", "198.51.100.10"), ("b", "192.0.2.10"), ("b", "198.51.100.1"), ("a", "192.0.2.1")]
    }
    facts["test"] = _vnetlab("test", ROUTER, "--backend", "kernel")
    facts["import"] = _vnetlab("import", "--all", "--lab", "rfilter2")
    facts["bridge_nf"] = {}
    if os.path.isdir(BRIDGE_NF):
        for n in k.names:
            out = subprocess.run(
                ["ip", "netns", "exec", k.netns(n), "sh", "-c", f"cat {BRIDGE_NF}/bridge-nf-call-*"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            facts["bridge_nf"][n] = out.split()
    facts["down"] = _vnetlab("down", "rfilter")[0]
    return facts


def test_router_ruleset_on_the_kernel(in_sandbox) -> None:
    f = in_sandbox(_router)
    assert f["up"] == 0
    code, _, err = f["again"]
    assert code == 0 and "no changes" in err + _
    code, out, err = f["exec"]
    assert code == 0, err
    assert 'iifname "b" icmp type echo-request drop' in out
    assert "ip saddr 198.51.100.0/24 ip daddr 192.0.2.0/24 icmp type echo-request drop" in out
    assert f["others"] == ["", ""]  # a node without nftables: has no ruleset
    assert f["ping"] == {
        ("a", "198.51.100.10"): True,  # forwarded
        ("b", "192.0.2.10"): False,  # forward chain
        ("b", "198.51.100.1"): False,  # input chain, arriving on b
        ("a", "192.0.2.1"): True,
    }
    code, out, err = f["test"]
    assert code == 0 and "5 passed, 0 failed" in err, out + err
    for name, values in f["bridge_nf"].items():  # empty when br_netfilter is not loaded
        assert values == ["0", "0", "0"], name
    code, text, err = f["import"]
    assert code == 0, err
    imported = load_text(text, "imported.yaml")
    assert "icmp type echo-request drop" in imported.nodes["r"].nftables
    assert imported.nodes["a"].nftables is None and imported.nodes["b"].nftables is None
    assert f["down"] == 0


def _round_trip(text: str) -> dict:
    """Up the imported lab: its ruleset applies and lists the same as the original's."""
    path = "/tmp/imported-rfilter.yaml"
    with open(path, "w") as fh:
        fh.write(text)
    _vnetlab("up", ROUTER)
    first = _listing("rfilter-r")
    _vnetlab("down", "rfilter")
    code, _, err = _vnetlab("up", path)
    return {"code": code, "err": err, "first": first, "second": _listing("rfilter2-r")}


def test_import_round_trip_lists_the_same_ruleset(in_sandbox) -> None:
    text = in_sandbox(lambda: (_vnetlab("up", ROUTER), _vnetlab("import", "--all", "--lab", "rfilter2"))[1][1])
    f = in_sandbox(_round_trip, text)
    assert f["code"] == 0, f["err"]
    assert f["first"] and f["first"] == f["second"]


def _br_nf_on(text: str) -> dict:
    path = "/tmp/brnf.yaml"
    with open(path, "w") as fh:
        fh.write(text)
    code, _, err = _vnetlab("up", path)
    vals = {
        n: subprocess.run(
            ["ip", "netns", "exec", f"brnf-{n}", "cat", f"{BRIDGE_NF}/bridge-nf-call-iptables"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for n in ("a", "b")
    }
    return {"code": code, "err": err, "vals": vals}


def test_a_node_may_turn_br_netfilter_on(in_sandbox) -> None:
    if not os.path.isdir(BRIDGE_NF):
        pytest.skip("br_netfilter is not loaded here")
    lab = """lab: brnf
nodes:
  a:
    interfaces: {e: {kind: veth, peer: b/e}}
    sysctl: {net.bridge.bridge-nf-call-iptables: 1}
  b:
    interfaces: {e: {kind: veth, peer: a/e}}
"""
    f = in_sandbox(_br_nf_on, lab)
    assert f["code"] == 0, f["err"]
    assert f["vals"] == {"a": "1", "b": "0"}
