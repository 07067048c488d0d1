"""The order the plan makes a lab's interfaces in (its link steps): plan/build.py writes the
steps in it, and the simulator (sim/build.py, sim/ipv6.py netdev_order) reads it without
building a plan."""

from __future__ import annotations

from ..resolve import IfKey, Resolved


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
