"""A changed lab that validates but that the kernel refuses leaves the running
lab exactly as it was: every device (with its ifindex, MAC, mode, master,
MTU), address, route and permanent neighbour, as `ip -json` shows them, and
the lab's guest daemon. The rollback target of a change is the previous lab.

`up` of a changed file changes the running lab in place (plan.diff, kernel.change);
a failure at any of its changes undoes the ones made, in reverse."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from vnetlab import load_text, resolve
from vnetlab.errors import EnvironmentProblem
from vnetlab.kernel import KernelLab, owner
from vnetlab.plan.diff import diff

from .conftest import netns_list

MODES = (ROOT / "labs" / "macvlan-modes.yaml").read_text()
#: validates, and changes a device, an address and a port
MODES_CHANGED = MODES.replace(
    "mv0: {kind: macvlan, parent: bridge/eth0, mode: bridge, addresses: [198.51.100.11/24]}",
    "mv0: {kind: macvlan, parent: bridge/eth0, mode: vepa, addresses: [198.51.100.111/24]}",
).replace("port: {hairpin: true}", "port: {hairpin: false}")
#: validates, but the kernel refuses it: a port range whose low end is above its high end
#: (ipv4_local_port_range: EINVAL); nothing before the kernel knows that
REFUSED_SYSCTL = 'sysctl: {net.ipv4.ip_local_port_range: "10 5"}'
P2 = "mv0: {kind: macvlan, parent: private/eth0, mode: private, addresses: [198.51.100.32/24]}"
MODES_REFUSED = MODES_CHANGED.replace(P2, P2 + "\n    " + REFUSED_SYSCTL)
#: and more: a device recreated (another parent), a new node, a sysctl, a route, a
#: permanent neighbour and an MTU on a device that stays
MODES_MORE = MODES_CHANGED.replace(P2, P2.replace("parent: private/eth0", "parent: vepa/eth0")).replace(
    "      eth0: {kind: nic, switch: lan, addresses: [198.51.100.66/24]}",
    "      eth0: {kind: nic, switch: lan, mtu: 1400, addresses: [198.51.100.66/24]}\n"
    "    sysctl: {net.ipv4.ip_forward: 1}\n"
    "    routes: [{to: 203.0.113.0/24, via: 198.51.100.30}]\n"
    '    neighbors: [{address: 198.51.100.99, lladdr: "02:00:00:00:99:99", dev: eth0}]\n'
    "  n9:\n"
    "    interfaces:\n"
    "      mv0: {kind: macvlan, parent: peer/eth0, mode: bridge, addresses: [198.51.100.90/24]}",
)
GUESTS = (ROOT / "labs" / "macvtap-on-veth.yaml").read_text()
GUESTS_REFUSED = GUESTS.replace("  host:\n", "  host:\n    " + REFUSED_SYSCTL + "\n").replace(
    'mode: vepa\n        mac: "6a:47:6c:b4:d0:41"', 'mode: bridge\n        mac: "6a:47:6c:b4:d0:41"'
)

#: what changes by itself in a lab nobody touches (and every *_timer: a bridge's running timers)
VOLATILE = {"stats", "stats64", "valid_life_time", "preferred_life_time", "used", "confirmed", "updated", "probes"}


def _strip(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _strip(v) for k, v in x.items() if k not in VOLATILE and not k.endswith("_timer")}
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


def state() -> dict[str, Any]:
    """Every namespace's links (with details), addresses, routes (v4 and v6, all
    tables) and permanent neighbours, from `ip -json`."""
    out: dict[str, Any] = {}
    for ns in netns_list():
        text = subprocess.run(
            ["ip", "-n", ns, "-d", "-json", "-batch", "-"],
            input="link show\naddr show\nroute show table all\nneigh show\n",
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        docs, dec, i = [], json.JSONDecoder(), 0
        while i < len(text):
            if text[i].isspace():
                i += 1
                continue
            doc, i = dec.raw_decode(text, i)
            docs.append(doc)
        links, addrs, routes, neigh = docs
        v6 = subprocess.run(
            ["ip", "-n", ns, "-6", "-json", "route", "show", "table", "all"], capture_output=True, text=True, check=True
        ).stdout
        out[ns] = _strip(
            {
                "links": links,
                "addrs": addrs,
                "routes": routes + json.loads(v6 or "[]"),
                "neigh": [n for n in neigh if "PERMANENT" in n.get("state", []) or "NOARP" in n.get("state", [])],
            }
        )
    return out


def _no_index(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _no_index(v) for k, v in x.items() if k != "ifindex"}
    if isinstance(x, list):
        return [_no_index(v) for v in x]
    return x


def _differences(a: Any, b: Any, at: str = "") -> list[str]:
    """Where two `state()` snapshots differ, as paths (so a failure says what changed)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{at}/{k}: only before" for k in a.keys() - b.keys()]
        out += [f"{at}/{k}: only after" for k in b.keys() - a.keys()]
        for k in a.keys() & b.keys():
            out += _differences(a[k], b[k], f"{at}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{at}[{i}]")]
    return [] if a == b else [f"{at}: {a!r} -> {b!r}"]


def _every_step() -> dict:
    a = KernelLab(resolve(load_text(MODES)))
    a.up()
    before = state()
    changed = KernelLab(resolve(load_text(MODES_MORE)))
    res = []
    n_changes = len(diff(a.plan(), changed.plan()))
    for n in range(n_changes):
        try:
            changed.up(fail_at=n)
            msg = "no failure"
        except EnvironmentProblem as e:
            msg = str(e)
        res.append((n, msg, _differences(before, state())))
    applied = changed.up()
    after = state()
    again = a.up()  # and back: the original lab is a change too
    final = state()
    # p2's macvlan was made again (another parent), and again on the way back: a new
    # ifindex is all that may differ; every other device kept its own
    back = {k: v for k, v in final.items() if k != "mvmodes-p2"} == {
        k: v for k, v in before.items() if k != "mvmodes-p2"
    }
    back = back and _no_index(final["mvmodes-p2"]) == _no_index(before["mvmodes-p2"])
    a.down()
    gone = {k: v for k, v in before.items() if k != "mvmodes-p2"}
    gone["mvmodes-p2"] = _no_index(before["mvmodes-p2"])
    came = {k: v for k, v in final.items() if k != "mvmodes-p2"}
    came["mvmodes-p2"] = _no_index(final["mvmodes-p2"])
    return {
        "res": res,
        "applied": applied,
        "differs": after != before,
        "again": again,
        "back": back,
        "why": _differences(gone, came),
        "n": n_changes,
    }


def test_a_change_that_fails_at_any_step_leaves_the_running_lab_as_it_was(in_sandbox) -> None:
    f = in_sandbox(_every_step)
    assert f["n"] >= 12  # devices changed in place and recreated, addresses, a port, a namespace, ...
    for n, msg, differs in f["res"]:
        assert "failed" in msg and "Input/output error" in msg and "the running lab was restored as it was" in msg, (
            n,
            msg,
        )
        assert not differs, (n, msg, differs)
    assert f["applied"] == "changed" and f["differs"]  # the comparison sees a change when there is one
    assert f["again"] == "changed"
    assert f["back"], f["why"]  # and changed back, it is the same lab again


def _refused(lab: str, refused: str, name: str) -> dict:
    with tempfile.TemporaryDirectory() as d:
        a, b = Path(d, "a.yaml"), Path(d, "b.yaml")
        a.write_text(lab)
        b.write_text(refused)

        def cli(*args: str) -> tuple[int, str, str]:
            p = subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)
            return p.returncode, p.stdout, p.stderr

        f: dict[str, Any] = {"up": cli("up", str(a))}
        f["before"] = state()
        f["daemon"] = _daemon(name)
        f["refused"] = cli("up", str(b))
        f["after"] = state()
        f["daemon_after"] = _daemon(name)
        f["marks"] = sorted((m.netns, m.complete) for m in owner.owned(name, everything=True))
        f["again"] = cli("up", str(a))
        f["down"] = cli("down", name)
        f["left"] = netns_list()
    return f


def _daemon(name: str) -> int | None:
    p = subprocess.run(
        [sys.executable, "-m", "vnetlab", "status", name, "--json"], capture_output=True, text=True, check=True
    )
    d = json.loads(p.stdout)["guest_daemon"]
    return None if d is None else d["pid"]


def test_a_change_the_kernel_refuses_leaves_the_running_lab_as_it_was(in_sandbox) -> None:
    f = in_sandbox(_refused, MODES, MODES_REFUSED, "mvmodes")
    assert f["up"][0] == 0
    code, out, err = f["refused"]
    assert code == 3, (out, err)
    assert "step 'sysctl net.ipv4.ip_local_port_range=10 5'" in err and "Invalid argument" in err, err
    assert "the running lab was restored as it was" in err and "Traceback" not in err
    assert f["after"] == f["before"]
    assert all(c == (ns == "mvmodes-lan") for ns, c in f["marks"]) and len(f["marks"]) == len(f["before"]), f["marks"]
    assert f["again"][0] == 0 and "no changes" in f["again"][1], f["again"]
    assert f["left"] == []


def test_a_refused_change_keeps_the_guest_daemon_and_its_devices(in_sandbox) -> None:
    f = in_sandbox(_refused, GUESTS, GUESTS_REFUSED, "mvtveth")
    assert f["up"][0] == 0 and f["daemon"], f["up"]
    code, out, err = f["refused"]
    assert code == 3 and "the running lab was restored as it was" in err, (out, err)
    assert f["after"] == f["before"]
    assert f["daemon_after"] == f["daemon"]  # the same process still serves the guests
    assert f["again"][0] == 0 and "no changes" in f["again"][1], f["again"]
    assert f["left"] == []


def _drop_a_node() -> dict:
    from vnetlab.kernel.change import ChangeExecutor

    more = KernelLab(resolve(load_text(MODES_MORE)))
    more.up()
    res: dict[str, Any] = {"had": _promiscuity("mvmodes-peer", "eth0"), "seen": []}
    removal = ChangeExecutor.op_del_netns

    def observed(self: ChangeExecutor, step: Any) -> None:  # look the moment n9's removal returns
        removal(self, step)
        res["seen"].append(_promiscuity("mvmodes-peer", "eth0"))  # n9's macvlan was on peer/eth0

    ChangeExecutor.op_del_netns = observed  # type: ignore[method-assign]  # why: an observer, in this sandboxed process only
    res["applied"] = KernelLab(resolve(load_text(MODES))).up()
    res["n9"] = "mvmodes-n9" in netns_list()
    KernelLab(resolve(load_text(MODES))).down()
    return res


def _promiscuity(ns: str, dev: str) -> int:
    p = subprocess.run(["ip", "-n", ns, "-d", "-json", "link", "show", dev], capture_output=True, text=True, check=True)
    return int(json.loads(p.stdout)[0]["promiscuity"])


def test_a_dropped_node_leaves_nothing_behind_in_the_nodes_that_stay(in_sandbox) -> None:
    """A namespace's own teardown is asynchronous (kernel-semantics §1.7): a change that
    drops a node deletes its devices first, so a node that stays no longer carries
    them (here: the promiscuity a macvlan child gives its veth parent) from the moment
    the node's removal returns."""
    f = in_sandbox(_drop_a_node)
    assert f["had"] == 1  # n9's macvlan made peer/eth0 promiscuous (veth has no unicast filter)
    assert f["applied"] == "changed" and not f["n9"]
    assert f["seen"] == [0], "n9's macvlan still held peer/eth0 after its namespace was removed"
