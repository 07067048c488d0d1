"""Every shipped lab the kernel supports comes up, matches `ip -json`, keeps its
expectations under real `ping`, agrees with the simulator, and goes down
leaving nothing."""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest

from tests.conftest import LABS
from vnetlab import load, resolve
from vnetlab.kernel import KernelLab, owner
from vnetlab.kernel.kinds import CONFIG
from vnetlab.sim import SimCannot, Simulator, sim_unsupported
from vnetlab.steps import lab_after, sim_states, states
from vnetlab.verify.expect import expectation_ports, nat_ports

from .conftest import flush_all, ip_json, missing_kinds, netns_list, real_connect, real_ping, serving


def _expectations(k: KernelLab, r) -> list[tuple]:
    out = []
    # what vnetlab listens on (listened_ports): the expectations' ports and every port a NAT
    # statement translates to (a DNAT to another port is answered there)
    ports = sorted(expectation_ports(r.lab) | nat_ports(r))
    with serving({n: k.netns(n) for n in r.lab.nodes}, ports) if ports else contextlib.nullcontext():
        for e in r.lab.expect:
            if e.proto != "icmp" and not k.skip_reason(e):
                # a real client (nc, /dev/udp) against every node's listeners: reach, and who answered
                for addr in k.resolve_dst(e.to):
                    flush_all([k.netns(n) for n in k.names])
                    name = real_connect(k.netns(e.from_), addr, e.proto, e.port)
                    got = name is not None and (e.answered_by is None or name == e.answered_by)
                    out.append((e.from_, f"{addr} {e.proto}/{e.port}", e.reach, got))
    for e in r.lab.expect:
        if k.skip_reason(e) or e.proto != "icmp":
            continue
        for addr in k.resolve_dst(e.to):
            flush_all([k.netns(n) for n in k.names])
            if e.from_ in r.guests:  # a guest is not a namespace: it pings with its own stack
                got = k.probe(e.from_, [addr])[addr]
            else:
                got = real_ping(k.netns(e.from_), addr)
            out.append((e.from_, addr, e.reach, got))
    return out


def _lab_facts(path: str) -> dict:
    lab = load(path)
    r = resolve(lab_after(lab, None))
    k = KernelLab(r)
    status = k.up()
    facts: dict = {"status": status, "again": k.up(), "links": {}, "addrs": {}, "expect": [], "netns_up": netns_list()}
    assert (k.guests is not None) == bool(r.guests)  # up started the guest daemon
    for name in k.names:
        ns = k.netns(name)
        facts["links"][name] = ip_json(ns, "-d", "link", "show")
        facts["addrs"][name] = ip_json(ns, "addr", "show")
    facts["expect"] = _expectations(k, r)
    facts["matrix"] = k.matrix()
    # each step: applied by up's change path (in place: only what the step changes), then checked the same way
    facts["steps"] = []
    for name, after in states(lab):
        k.close()
        rs = resolve(after)
        k = KernelLab(rs)
        facts["steps"].append(
            {"name": name, "status": k.up(), "expect": _expectations(k, rs), "matrix": k.matrix(), "ns": netns_list()}
        )
    facts["removed"] = k.down()
    facts["netns_after"] = netns_list()
    return facts


@pytest.mark.skipif(shutil.which("ping") is None, reason="needs iputils-ping as the test oracle")
@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_lab_on_the_kernel(path, in_sandbox) -> None:
    missing = missing_kinds(path)
    if missing:
        pytest.skip(
            f"this kernel lacks {', '.join(f'{m} ({CONFIG[m]})' for m in missing)}; runs in the full-kernel tier"
        )
    brnf = any(
        k.startswith("net.bridge.bridge-nf-call-") and str(v) != "0"
        for n in load(path).nodes.values()
        for k, v in n.sysctl.items()
    )
    if brnf and not os.path.isdir("/proc/sys/net/bridge"):
        pytest.skip(
            "this kernel lacks br_netfilter (CONFIG_BRIDGE_NETFILTER, not loaded: modprobe br_netfilter; "
            "vnetlab never loads a module on the machine)"
        )
    f = in_sandbox(_lab_facts, str(path))
    lab = load(path)
    r = resolve(lab_after(lab, None))
    assert f["status"] == "created" and f["again"] == "no changes"
    assert f["netns_up"] == sorted(r.netns(n) for n in [*r.lab.switches, *r.lab.nodes])
    # ip -json: every declared interface exists with its kind, mode, MAC and addresses
    for i in r.ifaces.values():
        link = next((ln for ln in f["links"][i.node] if ln["ifname"] == i.name), None)
        assert link is not None, f"{i.node}/{i.name} missing"
        info = link.get("linkinfo", {})
        kind = {"nic": "veth", "tap": "tun", "tun": "tun"}.get(i.kind, i.kind)
        assert info.get("info_kind") == kind, (i.key, info)
        if i.kind in ("macvlan", "macvtap"):
            assert info["info_data"]["mode"] == i.spec.mode
        if i.kind == "vxlan":
            assert info["info_data"]["port"] == i.spec.dstport and info["info_data"]["id"] == i.spec.vni
        if i.kind != "tun":  # a tun is L3: it has no MAC
            assert link["address"] == i.mac, (i.key, link["address"], i.mac)
        if i.spec.master:
            assert link.get("master") == i.spec.master
        got = {
            f"{a['local']}/{a['prefixlen']}"
            for ad in f["addrs"][i.node]
            if ad["ifname"] == i.name
            for a in ad["addr_info"]
        }
        assert set(i.spec.addresses) <= got
    # switch ports carry the nic's port options
    for sw, nics in r.switch_ports.items():
        for k in nics:
            port = next(ln for ln in f["links"][sw] if ln["ifname"] == r.switch_port_name(k))
            assert port["master"] == "sw"
            hairpin = r.lab.switches[sw].hairpin or bool(r.ifaces[k].spec.port and r.ifaces[k].spec.port.hairpin)
            assert port["linkinfo"]["info_slave_data"]["hairpin"] is hairpin
    _agrees(r, f["expect"], f["matrix"], "")
    # every step: applied, then real ping keeps its expectations and the matrix agrees with the simulator
    assert [s["name"] for s in f["steps"]] == [s.name for s in lab.steps]
    # the simulator's states continue from each other as the kernel's changes do (steps.sim_states:
    # IPv6 routes in the order an in-place change leaves them), not each one built afresh
    sims: dict[str | None, dict] | None = {}
    if lab.steps and not sim_unsupported(lab):
        try:
            sims = {name: b.sim.matrix() for name, _, b in sim_states(lab)}
        except SimCannot:  # what a step leaves is refused (exit 3): the kernel against the expectations only
            sims = None
    for step, (name, after) in zip(f["steps"], states(lab), strict=True):
        assert step["status"] == "changed", name  # in place, not rebuilt
        ra = resolve(after)
        assert step["ns"] == sorted(ra.netns(n) for n in [*ra.lab.switches, *ra.lab.nodes]), name
        assert len(step["expect"]) >= len(after.expect), name
        _agrees(
            resolve(after),
            step["expect"],
            step["matrix"],
            f"step {name!r}: ",
            sims.get(name) if sims else None,
            sims is not None,
        )
    assert f["netns_after"] == []
    assert sorted(f["removed"]) == f["netns_up"]


def _agrees(
    r, expect: list[tuple], matrix: dict, where: str, sim_matrix: dict | None = None, compare: bool = True
) -> None:
    # real ping keeps every expectation
    for src, addr, want, got in expect:
        assert got is want, (
            f"{where}{src} -> {addr}: expected {'reach' if want else 'no reach'}, "
            f"real ping says {'reach' if got else 'no reach'}"
        )
    if not compare or sim_unsupported(r.lab):
        return  # the simulator refuses this lab (exit 3): the kernel is checked against the expectations only
    # our own probing engine agrees with the simulator on every node-to-node cell
    sim = sim_matrix if sim_matrix is not None else Simulator(r).matrix()
    skip = KernelLab(r).uncheckable()
    for src, row in matrix["rows"].items():
        if src in KernelLab(r).uncheckable_sources():
            continue
        for addr, ok in row.items():
            if addr in skip:
                continue
            assert ok is sim["rows"][src][addr], (
                f"{where}{src} -> {addr}: kernel {ok}, simulator {sim['rows'][src][addr]}"
            )


def test_down_never_touches_unmarked_namespaces(in_sandbox) -> None:
    def body() -> tuple[list[str], list[str]]:
        import subprocess

        subprocess.run(["ip", "netns", "add", "nspawn-host"], check=True)  # same name, not ours
        before = netns_list()
        removed = owner.down("nspawn")
        return before, removed

    before, removed = in_sandbox(body)
    assert before == ["nspawn-host"] and removed == []
