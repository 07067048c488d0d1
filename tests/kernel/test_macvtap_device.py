"""Two labs with macvtap guests at once, their macvtaps of the same ifindex:
each lab's guest daemon holds its own lab's macvtap, not the other's.

A macvtap's character device is named /dev/tap<ifindex> by devtmpfs, one
name space for the whole machine, while ifindexes are per network namespace
and every lab numbers its devices from the same base. So two labs (or two
sandboxes, e.g. two test runs) have macvtaps of the same ifindex, and the one
/dev/tapN is the device of whichever came first. A guest that opened it would
serve the other lab's macvtap, and its own lab's pings would go unanswered.
The oracles are the kernel's: the major:minor each lab's sysfs gives its
macvtap (`ip netns exec` mounts a sysfs of that namespace), the device each
daemon's descriptors are open on (/proc/PID/fd), the macvtaps' counters
(`ip -s -j link`) and real `ping`, run in both labs at the same time.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from vnetlab import load, resolve

from .conftest import ip_json, netns_list

SRC = ROOT / "labs" / "macvtap-on-veth.yaml"
LABS = ("mvtone", "mvttwo")
#: the lab's macvtaps with a guest, and the guests' addresses
MACVTAPS = ("mac-veth1", "mac-veth3")
VM1 = "203.0.113.10"
PINGS = 5


def _vnetlab(*args: str) -> tuple[int, str]:
    p = subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout + p.stderr


def _sysfs_dev(netns: str, ifname: str, index: int) -> tuple[int, int]:
    """major:minor of the macvtap's character device, from its own namespace's sysfs."""
    out = subprocess.run(
        ["ip", "netns", "exec", netns, "cat", f"/sys/class/net/{ifname}/tap{index}/dev"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    major, minor = out.split(":")
    return int(major), int(minor)


def _held_devices(pid: int, major: int) -> list[tuple[int, int]]:
    """The character devices of that major a process has open."""
    got = []
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            st = os.stat(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        if stat.S_ISCHR(st.st_mode) and os.major(st.st_rdev) == major:
            got.append((major, os.minor(st.st_rdev)))
    return sorted(got)


def _holders(devs: set[tuple[int, int]]) -> dict[int, str]:
    """Every process of the machine with one of these devices open: pid -> its command line
    (what a failure names: anything else holding a lab's macvtap takes frames from its guest)."""
    got = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            names = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for name in names:
            try:
                st = os.stat(f"/proc/{pid}/fd/{name}")
            except OSError:
                continue
            if stat.S_ISCHR(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) in devs:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    got[int(pid)] = fh.read().replace(b"\0", b" ").decode(errors="replace")[:200]
                break
    return got


def _counters(netns: str) -> dict[str, int]:
    ln = ip_json(netns, "-s", "link", "show", MACVTAPS[0])[0]
    return {"rx": ln["stats64"]["rx"]["packets"], "tx": ln["stats64"]["tx"]["packets"]}


def _start(*cmd: str) -> subprocess.Popen[str]:
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _ping_all(netnses: list[str]) -> dict[str, int]:
    """A real ping from the host to vm1 in every lab, all at the same time: ns -> replies."""
    ping = ["ping", "-c", str(PINGS), "-i", "0.2", "-W", "1", "-q", VM1]
    procs = {ns: _start("ip", "netns", "exec", ns, *ping) for ns in netnses}
    got = {}
    for ns, p in procs.items():
        out, _ = p.communicate(timeout=30)
        got[ns] = next(int(w) for w in out.split(",")[1].split() if w.isdigit())  # "N received"
    return got


def _two_labs() -> dict[str, Any]:
    f: dict[str, Any] = {"labs": {}}
    with tempfile.TemporaryDirectory(prefix="vnetlab-mvt-") as tmp:
        paths = []
        for lab in LABS:
            p = Path(tmp) / f"{lab}.yaml"
            p.write_text(SRC.read_text().replace("lab: mvtveth\n", f"lab: {lab}\n", 1))
            paths.append(str(p))
        for lab, path in zip(LABS, paths, strict=True):
            g: dict[str, Any] = {"up": _vnetlab("up", path)}
            ns = resolve(load(path)).netns("host")
            code, out = _vnetlab("status", lab, "--json")
            pid = json.loads(out)["guest_daemon"]["pid"] if code == 0 else None
            devs = {}
            for ifname in MACVTAPS:
                index = ip_json(ns, "link", "show", ifname)[0]["ifindex"]
                devs[ifname] = (index, _sysfs_dev(ns, ifname, index))
            major = devs[MACVTAPS[0]][1][0]
            g.update(netns=ns, pid=pid, devs=devs, held=_held_devices(pid, major) if pid else None)
            f["labs"][lab] = g
        netnses = [f["labs"][lab]["netns"] for lab in LABS]
        ours = {dev for g in f["labs"].values() for _, dev in g["devs"].values()}
        f["holders"] = _holders(ours)
        # each lab's guest pinged alone: its own macvtap carries the echo requests and replies
        for lab in LABS:
            before = {ns: _counters(ns) for ns in netnses}
            f["labs"][lab]["alone"] = _ping_all([f["labs"][lab]["netns"]])
            after = {ns: _counters(ns) for ns in netnses}
            f["labs"][lab]["moved"] = {ns: {k: after[ns][k] - before[ns][k] for k in ("rx", "tx")} for ns in netnses}
        # both labs' guests pinged at once, and both guest daemons probing at once
        f["holders"].update(_holders(ours))
        f["together"] = _ping_all(netnses)
        procs = [
            _start(sys.executable, "-m", "vnetlab", "ping", p, "vm1", "host", "--backend", "kernel") for p in paths
        ]
        f["guest_pings"] = [(p.wait(timeout=60), p.communicate()[0]) for p in procs]
        f["tests"] = [_vnetlab("test", path, "--backend", "kernel") for path in paths]
        f["holders"].update(_holders(ours))
        f["down"] = [_vnetlab("down", lab) for lab in LABS]
    f["netns_after"] = netns_list()
    return f


def test_each_lab_guest_holds_its_own_macvtap(in_sandbox) -> None:
    f = in_sandbox(_two_labs)
    one, two = (f["labs"][lab] for lab in LABS)
    for lab in LABS:
        assert f["labs"][lab]["up"][0] == 0, f["labs"][lab]["up"]
        assert f["labs"][lab]["pid"], f"lab {lab} has no guest daemon"
    assert one["pid"] != two["pid"]
    # the situation this is about: the same ifindexes (one /dev/tapN for both), different devices
    for ifname in MACVTAPS:
        assert one["devs"][ifname][0] == two["devs"][ifname][0], (one["devs"], two["devs"])
        assert one["devs"][ifname][1] != two["devs"][ifname][1]
    # each daemon holds exactly its own lab's macvtaps, one descriptor each
    for g in (one, two):
        assert g["held"] == sorted(dev for _, dev in g["devs"].values()), (g["held"], g["devs"], one, two)
    # anyone else holding a lab's macvtap (another sandbox's guest that opened the global
    # /dev/tapN of our ifindex) takes a share of its frames: named here, should pings fail
    foreign = {pid: cmd for pid, cmd in f["holders"].items() if pid not in (one["pid"], two["pid"])}
    # pinging a lab's guest moves that lab's macvtap counters (requests in, replies out)
    for lab in LABS:
        g = f["labs"][lab]
        assert g["alone"] == {g["netns"]: PINGS}, (lab, g["alone"], foreign)
        moved = g["moved"][g["netns"]]
        assert moved["rx"] >= PINGS and moved["tx"] >= PINGS, (lab, g["moved"], foreign)
    # and the guests answer in both labs at once, to real pings and as probes from the guest
    assert f["together"] == {one["netns"]: PINGS, two["netns"]: PINGS}, (f["together"], foreign)
    for code, out in f["guest_pings"]:
        assert code == 0 and "reply" in out, (out, foreign)
    for code, out in f["tests"]:
        assert code == 0, (out, foreign)
    assert all(code == 0 for code, _ in f["down"]), f["down"]
    assert f["netns_after"] == []
