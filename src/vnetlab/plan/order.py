"""The order the plan makes a lab's interfaces in (its link steps): plan/build.py writes the
steps in it, and the simulator (sim/build.py, sim/ipv6.py netdev_order) reads it without
building a plan."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..resolve import IfKey, Resolved

if TYPE_CHECKING:
    from .steps import Step


def creation_order(r: Resolved) -> list[IfKey]:
    """The interfaces whose link step the plan makes, in that order: file order, but parents
    (and a kind's other local dependencies) before their children. A veth's peer is made in
    its step, so is not listed itself; a nic's peer is its switch port."""
    done: set[IfKey] = set()
    out: list[IfKey] = []

    def make(key: IfKey, depth: int = 0) -> None:
        if key in done or depth > 64:
            return
        i = r.ifaces[key]
        p = r.parent.get(key)
        if p is not None:
            make(p, depth + 1)
        for dep in i.spec.local_deps():
            if (i.node, dep) in r.ifaces:
                make((i.node, dep), depth + 1)
        done.add(key)
        if key not in r.switch_of and key in r.peer:
            done.add(r.peer[key])  # a veth: both ends in one step
        out.append(key)

    for key in r.ifaces:
        if key not in done:
            make(key)
    return out


#: kinds whose link step does not bring the device up even when the lab wants it up
#: (kernel/apply.py ``op_link``): a nic is made from its switch's side, its own end being the
#: peer; a vlan cannot be opened while its real device is down (vlan_dev_open: ENETDOWN); a
#: tun/tap is made through /dev/net/tun and configured afterwards. Their `up` step does it.
UP_AT_ITS_STEP = frozenset({"nic", "vlan", "tap", "tun"})


def created_up(kind: str, key: tuple[str, str], will_be_up: set[tuple[str, str]]) -> bool:
    """Whether the link step of ``key`` (namespace, device) makes it up in the same request."""
    return key in will_be_up and kind not in UP_AT_ITS_STEP


def prefix_route_order(steps: Iterable[Step]) -> dict[tuple[str, str, str], int]:
    """(namespace, device, address) → when the address's prefix route enters the namespace's
    IPv6 table as `vnetlab up` applies ``steps`` (kernel-semantics §11.11): at the address's
    step if its device is up by then, else when the device's `up` step brings it up
    (addrconf_notify NETDEV_UP; carrier plays no part). Among equal prefix routes the kernel
    takes the oldest (fib6_add_rt2node appends a route after its equals)."""
    from .steps import AddrSpec, LinkSpec

    todo = list(steps)
    will_be_up = {(s.ns, s.obj) for s in todo if s.op == "up"}
    up: set[tuple[str, str]] = set()
    waiting: dict[tuple[str, str], list[str]] = {}
    out: dict[tuple[str, str, str], int] = {}
    for s in todo:
        key = (s.ns, s.obj)
        if s.op == "link" and isinstance(s.spec, LinkSpec) and created_up(s.spec.kind, key, will_be_up):
            up.add(key)
        elif s.op == "addr" and isinstance(s.spec, AddrSpec):
            if key in up:
                out[(s.ns, s.obj, s.spec.address)] = len(out)
            else:
                waiting.setdefault(key, []).append(s.spec.address)
        elif s.op == "up":
            up.add(key)
            for a in waiting.pop(key, []):
                out[(s.ns, s.obj, a)] = len(out)
    return out
