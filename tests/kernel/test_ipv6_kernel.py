"""IPv6 on the kernel backend, on the real kernel in a sandbox: `up` waits for DAD
and reports a failed one, cold rows flush IPv6 neighbours (link-locals too, static
entries kept), and one raw ICMPv6 socket per row probes with the one-second rule."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from vnetlab import load, load_text, resolve
from vnetlab.kernel import KernelLab

from .conftest import ip_json

LABS = Path(__file__).resolve().parents[2] / "labs"


def _tentative(k: KernelLab) -> list[str]:
    out = []
    for n in k.names:
        for ad in ip_json(k.netns(n), "-6", "addr", "show"):
            for a in ad["addr_info"]:
                if a.get("tentative"):
                    out.append(f"{n}/{ad['ifname']} {a['local']}")
    return out


def _up_then_dad(path: str) -> dict:
    k = KernelLab(resolve(load(path)))
    t0 = time.monotonic()
    k.up()
    up_s = time.monotonic() - t0
    facts: dict = {"up_s": up_s, "tentative": _tentative(k), "failed": list(k.dad_failed), "pending": k.dad_pending}
    facts["ll"] = sorted(
        a["local"]
        for ad in ip_json(k.netns("h1"), "-6", "addr", "show", "dev", "eth0")
        for a in ad["addr_info"]
        if a["scope"] == "link"
    )
    # h2 reaches h1 through r's link-local: the row leaves link-local entries, the flush takes them
    facts["reached"] = k.probe("h2", ["2001:db8:1::10"])
    facts["ll_before"] = sorted(e["dst"] for n in ("h2", "r") for e in ip_json(k.netns(n), "-6", "neigh", "show"))
    k.flush()
    facts["ll_after"] = sorted(e["dst"] for n in ("h2", "r") for e in ip_json(k.netns(n), "-6", "neigh", "show"))
    # a real duplicate, added after h3's neighbour r holds the address: the later one fails (V2.6)
    subprocess.run(["ip", "-n", k.netns("h3"), "addr", "add", "2001:db8:3::1/64", "dev", "eth0"], check=True)
    t1 = time.monotonic()
    k.wait_dad()
    facts["wait_s"] = time.monotonic() - t1
    facts["failed_after"] = list(k.dad_failed)
    facts["pending_after"] = list(k.dad_pending)
    k.down()
    return facts


def test_up_waits_for_dad_and_reports_a_duplicate(in_sandbox) -> None:
    f = in_sandbox(_up_then_dad, str(LABS / "v6-routed.yaml"))
    assert f["tentative"] == [] and f["failed"] == [] and f["pending"] == []  # probing starts after DAD
    mac = resolve(load(LABS / "v6-routed.yaml")).ifaces[("h1", "eth0")].mac
    b = bytearray.fromhex(mac.replace(":", ""))
    b[0] ^= 2
    want = "fe80::" + ":".join(
        f"{int.from_bytes(x, 'big'):x}" for x in (b[0:2], bytes(b[2:3]) + b"\xff", b"\xfe" + bytes(b[3:4]), b[4:6])
    )
    assert f["ll"] == [want]  # EUI-64 of the MAC (V1.6)
    assert f["reached"] == {"2001:db8:1::10": True}
    assert "fe80::ff:fe00:201" in f["ll_before"] and f["ll_after"] == []
    assert f["failed_after"] == ["h3/eth0 2001:db8:3::1"]  # reported, not waited for
    assert f["pending_after"] == []
    assert f["wait_s"] < 3.5  # a dadfailed address stays "tentative" for ever: the wait ends anyway


STATIC = """
lab: t6static
switches:
  s1: {}
nodes:
  a:
    interfaces:
      eth0: {kind: nic, switch: s1, addresses: [192.0.2.1/24, "2001:db8::1/64"]}
    neighbors:
      - {address: "2001:db8::3", lladdr: "02:00:00:00:00:03", dev: eth0}
  b:
    interfaces:
      eth0: {kind: nic, switch: s1, addresses: [192.0.2.2/24, "2001:db8::2/64"]}
    routes:
      - {to: "2001:db8:9::/64", via: "2001:db8::1"}
"""


def _flush_and_probe(text: str) -> dict:
    k = KernelLab(resolve(load_text(text)))
    k.up()
    f: dict = {}
    f["row"] = k.probe("b", ["2001:db8::1", "192.0.2.1", "2001:db8:9::1", "2001:db8::77"], flush=True)
    # b's and a's caches hold entries now (a learned b's address, and the link-local its NS came from)
    f["before"] = {n: ip_json(k.netns(n), "-6", "neigh", "show") for n in ("a", "b")}
    k.flush()
    f["after"] = {n: ip_json(k.netns(n), "-6", "neigh", "show") for n in ("a", "b")}
    k.retries = 0
    t0 = time.process_time(), time.monotonic()
    f["cold"] = k.probe("b", ["2001:db8::77", "2001:db8::1"])  # one failing cell: one timeout for the row
    f["cold_wall"] = time.monotonic() - t0[1]
    k.down()
    return f


def test_cold_rows_flush_ipv6_neighbours_and_keep_static_ones(in_sandbox) -> None:
    f = in_sandbox(_flush_and_probe, STATIC)
    assert f["row"] == {"2001:db8::1": True, "192.0.2.1": True, "2001:db8:9::1": False, "2001:db8::77": False}
    assert any(e["dst"] == "2001:db8::2" for e in f["before"]["a"])
    for node, entries in f["after"].items():
        # (an address outside the lab, as for IPv4, is not the flusher's business)
        left = [e for e in entries if "PERMANENT" not in e.get("state", []) and e["dst"] != "2001:db8::77"]
        assert left == [], (node, left)
    assert [e["dst"] for e in f["after"]["a"]] == ["2001:db8::3"]  # the lab's static ND entry stays
    assert f["cold"] == {"2001:db8::77": False, "2001:db8::1": True}
    assert 0.9 < f["cold_wall"] < 1.9  # both families' replies collected within one timeout
