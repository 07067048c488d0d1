"""A step changes a running lab in place: every device the step leaves alone
keeps its ifindex (as `ip -json link` shows it), and the process serving the
guests (the guest daemon, which holds the guests' macvtap devices) keeps
running with its PID, its guests still answering. Only a step that makes a
guest's device again starts the daemon again. Real kernel, real probes."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import ROOT
from vnetlab import load_text, resolve
from vnetlab.kernel import KernelLab
from vnetlab.steps import lab_after

from .conftest import netns_list, real_ping

LAB = (ROOT / "labs" / "macvtap-on-veth.yaml").read_text() + (
    "steps:\n"
    "  - name: port hairpin\n"
    "    set: {nodes: {host: {interfaces: {veth2: {port: {hairpin: true}}}}}}\n"
    "    expect: [{from: vm1, to: host, reach: true}]\n"
    "  - name: vm2's macvtap mode\n"
    "    set: {nodes: {host: {interfaces: {mac-veth3: {mode: bridge}}}}}\n"
    "    expect: [{from: vm1, to: host, reach: true}, {from: vm2, to: host, reach: false}]\n"
    "  - name: new node\n"
    "    set:\n"
    "      nodes:\n"
    "        host: {interfaces: {v9: {kind: veth, peer: box/v9, addresses: [198.51.100.1/30]}}}\n"
    "        box: {interfaces: {v9: {kind: veth, peer: host/v9, addresses: [198.51.100.2/30]}}}\n"
    "    expect: [{from: vm1, to: 203.0.113.1, reach: true}, {from: box, to: 198.51.100.1, reach: true}]\n"
    "  - name: vm1's macvtap passthru\n"
    "    set: {nodes: {host: {interfaces: {mac-veth1: {mode: passthru, mac: null}}}}}\n"
    "    expect: [{from: vm1, to: 203.0.113.1, reach: true}]\n"
)


def _links() -> dict[tuple[str, str], int]:
    out = {}
    for ns in netns_list():
        doc = json.loads(
            subprocess.run(["ip", "-n", ns, "-j", "link"], capture_output=True, text=True, check=True).stdout
        )
        out.update({(ns, ln["ifname"]): ln["ifindex"] for ln in doc})
    return out


def _run() -> list[dict]:
    lab = load_text(LAB)
    k = KernelLab(resolve(lab_after(lab, None)))
    k.up()
    rows = [{"result": "created", "links": _links(), "pid": k.guests.pid, "changes": []}]
    for name in [s.name for s in lab.steps]:
        k.close()
        k = KernelLab(resolve(lab_after(lab, name)))
        result = k.up()
        outs = k.evaluate(list(k.r.lab.expect))
        rows.append(
            {
                "name": name,
                "result": result,
                "links": _links(),
                "pid": k.guests.pid,
                "changes": [c.describe() for c in k.changes if c.action != "refresh"],
                "verdicts": [(o.expectation.from_, o.expectation.to, o.reached) for o in outs],
                "ping": real_ping("mvtveth-box", "198.51.100.1") if name == "new node" else None,
            }
        )
    k.close()
    k.down()
    return rows


def test_a_step_leaves_every_other_device_and_the_guests_process_alone(in_sandbox) -> None:
    rows = in_sandbox(_run)
    first, hairpin, mode, new, passthru = rows
    assert [r["result"] for r in rows[1:]] == ["changed"] * 4
    # a port flag, in place: nothing else touched, not even the daemon
    assert hairpin["changes"] == ["set port veth2 hairpin False -> True"]
    assert hairpin["links"] == first["links"] and hairpin["pid"] == first["pid"]
    # a macvtap's mode on the device a guest holds: in place, the daemon keeps it
    assert mode["changes"] == ["set mac-veth3 mode vepa -> bridge"]
    assert mode["links"] == first["links"] and mode["pid"] == first["pid"]
    assert mode["verdicts"] == [("vm1", "host", True), ("vm2", "host", False)]
    # a new node: its namespace and a veth pair; every device there before keeps its ifindex
    assert {k: v for k, v in new["links"].items() if k in first["links"]} == first["links"]
    assert set(new["links"]) - set(first["links"]) == {
        ("mvtveth-host", "v9"),
        ("mvtveth-box", "v9"),
        ("mvtveth-box", "lo"),
    }
    assert new["pid"] == first["pid"] and new["ping"] is True
    assert new["verdicts"] == [("vm1", "203.0.113.1", True), ("box", "198.51.100.1", True)]
    # to passthru the kernel cannot switch a live macvlan: that one device is made again
    # (the plan says why), the daemon that held it starts again, everything else stays
    assert any("delete macvtap mac-veth1 (macvlan mode to or from passthru" in c for c in passthru["changes"])
    moved = {k for k in new["links"] if passthru["links"].get(k) != new["links"][k]}
    assert moved == {("mvtveth-host", "mac-veth1")}
    assert passthru["pid"] != first["pid"]
    assert passthru["verdicts"] == [("vm1", "203.0.113.1", True)]


MTU_LAB = (
    "lab: mtuback\n"
    "nodes:\n"
    "  a: {interfaces: {v0: {kind: veth, peer: b/v0, mtu: 1400, addresses: [198.51.100.1/30]}}}\n"
    "  b: {interfaces: {v0: {kind: veth, peer: a/v0, mtu: 1300, addresses: [198.51.100.2/30]}}}\n"
    "steps:\n"
    "  - name: defaults again\n"
    "    set: {nodes: {a: {interfaces: {v0: {mtu: null}}}, b: {interfaces: {v0: {mtu: null}}}}}\n"
)


def _mtus() -> dict[str, int]:
    from .conftest import ip_json

    return {ns: ip_json(f"mtuback-{ns}", "link", "show", "v0")[0]["mtu"] for ns in ("a", "b")}


def _run_mtu() -> list[dict[str, int]]:
    lab = load_text(MTU_LAB)
    rows = []
    for name in (None, "defaults again"):
        k = KernelLab(resolve(lab_after(lab, name)))
        k.up()
        rows.append(_mtus())
        k.close()
    fresh = KernelLab(resolve(lab_after(lab, "defaults again")))
    fresh.down()
    fresh.up()
    rows.append(_mtus())
    fresh.close()
    fresh.down()
    return rows


def test_a_step_that_unsets_both_ends_mtu_leaves_what_a_fresh_build_makes(in_sandbox) -> None:
    # a veth's end with no mtu is made 1500, either end (measured: `ip link add … type veth
    # peer name … mtu 1300` leaves the first end 1500); a step that takes an end's mtu out
    # must set it back, or the in-place lab differs from a fresh build of the same file
    before, after, fresh = in_sandbox(_run_mtu)
    assert before == {"a": 1400, "b": 1300}
    assert after == fresh == {"a": 1500, "b": 1500}
