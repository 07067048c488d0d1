"""What a lab fixes for every simulated world is worked out once per Resolved (sim/build.py
``fixed``), without building the kernel plan, and gives what the plan and a fresh DAD give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kernel.test_dad_kernel import VARIANTS, _lab
from vnetlab import load, load_text, resolve
from vnetlab.model.derive import switch_bridge_name
from vnetlab.plan import build_plan
from vnetlab.plan.steps import LinkSpec
from vnetlab.resolve import Resolved
from vnetlab.sim import Simulator, sim_unsupported
from vnetlab.sim import build as sim_build
from vnetlab.sim.ipv6 import netdev_order
from vnetlab.sim.kinds.bridge import BridgeDev
from vnetlab.verify.trace import trace

ROOT = Path(__file__).resolve().parents[2]
LABS = sorted((ROOT / "labs").glob("*.yaml")) + sorted((ROOT / "tests/differential/regressions").glob("*.yaml"))


def _plan_netdev_order(r: Resolved) -> dict[str, dict[str, int]]:
    """The netdev list order read off the plan's link steps: lo, then each device as its
    step makes it, the peer of a veth (or a nic's switch port) before the veth."""
    order: dict[str, dict[str, int]] = {}
    for step in build_plan(r):
        if step.op != "link" or not isinstance(step.spec, LinkSpec):
            continue
        if step.spec.peer is not None and step.spec.peer_ns is not None:
            ns = order.setdefault(step.spec.peer_ns, {"lo": 0})
            ns[step.spec.peer] = len(ns)
        ns = order.setdefault(step.ns, {"lo": 0})
        ns[step.obj] = len(ns)
    return order


def test_every_lab_is_here() -> None:
    assert len(LABS) > 60 and any(resolve(load(p)).uses_v6 for p in LABS)


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_netdev_and_port_order_are_the_plans(path: Path) -> None:
    r = resolve(load(path))
    assert netdev_order(r) == _plan_netdev_order(r)
    # switch ports are enslaved in the order the plan makes their nics (a flood reaches the newest first)
    links = [(s.ns, s.obj) for s in build_plan(r) if s.op == "link"]
    if sim_unsupported(r) is not None:
        return
    sim = Simulator(r)
    for sw, nics in r.switch_ports.items():
        br = sim.world.devices[f"{sw}/{switch_bridge_name()}"]
        assert isinstance(br, BridgeDev)
        made = [p.dev.peer.label for p in reversed(br.ports)]  # type: ignore[attr-defined]  # why: a switch port is a veth
        assert made == [f"{n}/{i}" for n, i in sorted(nics, key=links.index)]


def _state(sim: Simulator) -> dict[str, Any]:
    """Everything DAD can leave in a world, by names."""
    w = sim.world
    out: dict[str, Any] = {"fdb": w.fdb_snapshot(), "frames": w.frames}
    for name, st in w.stacks.items():
        v6 = st.v6
        if v6 is None:
            continue
        out[name] = (
            {d.label: lst for d, lst in v6.addrs.items()},
            sorted(v6.local),
            sorted((d.label, g) for d, g in v6.groups),
            [(r.net, r.plen, r.dev.label, r.via, r.metric) for r in v6.routes],
            {(d.label, ip): why for (d, ip), why in v6.dad_failed.items()},
            {(d.label, ip): (n.mac, n.state) for (d, ip), n in v6.neigh.items()},
            v6.tentative,
            dict(v6.dev_rank),
        )
    return out


def _v6_labs() -> list[tuple[str, str]]:
    out = [(p.stem, p.read_text()) for p in LABS if resolve(load(p)).uses_v6]
    return out + [(f"dad-{name}", _lab(*VARIANTS[name][:4])) for name in VARIANTS]


@pytest.mark.parametrize(("name", "text"), _v6_labs(), ids=lambda x: x if len(x) < 40 else "")
def test_dad_put_back_is_dad_run_again(name: str, text: str) -> None:
    r = resolve(load_text(text))
    first = Simulator(r)  # runs DAD
    again = Simulator(r)  # puts its outcome back
    fresh = Simulator(resolve(load_text(text)))  # runs it again, for another Resolved
    assert sim_build.fixed(r).dad is not None
    assert _state(again) == _state(first) == _state(fresh)


def test_dad_failures_are_put_back() -> None:
    failing = [n for n, v in VARIANTS.items() if v[-1]]
    assert failing
    for name in failing:
        r = resolve(load_text(_lab(*VARIANTS[name][:4])))
        Simulator(r)
        v6 = Simulator(r).world.stacks["a"].v6
        assert v6 is not None and v6.dad_failed, name


def test_a_trace_works_out_the_lab_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`trace` builds three worlds (its own, the matrix's reference, a scratch one): the creation
    order, the netdev order and DAD once for all three, and the kernel plan never."""
    calls = {"order": 0, "dad": 0}
    from vnetlab.sim import ipv6

    real_order, real_dad = sim_build.creation_order, ipv6.dad

    def order(r: Resolved) -> Any:
        calls["order"] += 1
        return real_order(r)

    def dad(w: Any, netdev: Any, done: Any = None) -> Any:
        calls["dad"] += done is None
        return real_dad(w, netdev, done)

    def no_plan(r: Resolved) -> Any:
        raise AssertionError("the simulator built the kernel plan")

    monkeypatch.setattr(sim_build, "creation_order", order)
    monkeypatch.setattr(ipv6, "dad", dad)
    monkeypatch.setattr("vnetlab.plan.build.build_plan", no_plan)
    r = resolve(load(ROOT / "labs/v6-bridge.yaml"))
    t = trace(Simulator(r), "a", "2001:db8:1::2")
    assert t.hops
    assert calls == {"order": 1, "dad": 1}


def _reference_src(v6: Any, dev: Any, dst: int) -> int | None:
    """ipv6_dev_get_saddr's choice worked out from scratch on each call (the rules of
    kernel-semantics §11.4, candidates sorted by the netdev order every time)."""
    from vnetlab.sim.ipv6 import _label, is_ll

    if is_ll(dst):
        return v6.link_local(dev)
    best, chosen = None, None
    rank = v6.dev_rank
    for d in sorted(v6.addrs, key=lambda x: rank.get(x.name, len(rank))):
        for ip, plen in reversed(v6.addrs[d]):
            if is_ll(ip):
                continue
            key = (ip == dst, d is dev, _label(ip) == _label(dst), min(128 - (ip ^ dst).bit_length(), plen))
            if best is None or key > best:
                best, chosen = key, ip
    return chosen if chosen is not None else v6.link_local(dev)


@pytest.mark.parametrize(("name", "text"), _v6_labs(), ids=lambda x: x if len(x) < 40 else "")
def test_source_selection_worked_out_once_is_the_rule(name: str, text: str) -> None:
    """select_src's candidates are ordered once and each answer kept: the same as choosing
    from scratch, for every device of every namespace and every address of the lab (asked
    twice: the kept answer too)."""
    import ipaddress

    r = resolve(load_text(text))
    sim = Simulator(r)
    dsts = {int(ipaddress.IPv6Interface(a).ip) for i in r.ifaces.values() for a in i.spec.addresses if ":" in a}
    dsts |= {0xFE80 << 112 | 1, 0x2001_0DB8_FFFF << 80 | 7, 0xFD00 << 112 | 9, 0x2002 << 112 | 1}
    asked = 0
    for st in sim.world.stacks.values():
        v6 = st.v6
        assert v6 is not None
        for dev in st.devs:
            for dst in sorted(dsts):
                want = _reference_src(v6, dev, dst)
                assert v6.select_src(dev, dst) == want == v6.select_src(dev, dst), (st.name, dev.name, dst)
                asked += 1
    assert asked
