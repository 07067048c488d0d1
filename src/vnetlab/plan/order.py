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


class Replay6:
    """The IPv6 state the kernel is left in by a fresh build (``plan``) and then each change
    `up` applies in place (``change``: kernel/change.py, links made down, their `up` steps
    bring them up; kernel-semantics §7 and §11.17, 26_steps6.sh):

    * ``routes``: (namespace, device, prefix) → when its prefix route entered the table (the
      oldest of equal ones wins, §11.11): at its first address's step if the device is up by
      then (made up in its link request: ``created_up``), else at the device's `up` step
      (addrconf_notify NETDEV_UP; carrier plays no part). Setting a device down or deleting it takes its
      routes and its IPv6 addresses (addrconf_ifdown, keep_addr_on_down 0); an address the
      change adds again (``ip addr replace``) enters at its step if its device is up, else
      at the device's `up` step; a replace of an address that is there is a no-op
      (inet6_addr_modify → modify_prefix_route: the route keeps its place).
    * ``addrs``: (namespace, device) → its IPv6 addresses, oldest first (the device's
      addr_list is newest first: ipv6_link_dev_addr).
    * ``netdev``: namespace → its devices in netdev list order: a device a change makes
      (again) goes last (list_netdevice appends), the peer of a veth before it.
    """

    @classmethod
    def fresh(cls, r: Resolved, netdev: dict[str, dict[str, int]]) -> Replay6:
        """What `vnetlab up` of ``r`` leaves (``netdev``: each namespace's netdev list order,
        sim/ipv6.py ``netdev_order``)."""
        from . import build_plan

        rep = cls({ns: sorted(o, key=o.__getitem__) for ns, o in netdev.items()})
        rep.apply(build_plan(r), fresh=True)
        return rep

    def prefix_rank(self) -> dict[str, dict[tuple[str, int, int], int]]:
        """namespace → (device, address, prefix length) → when the address's prefix route
        entered the table (the simulator's ``Fixed.prefix_rank``)."""
        import ipaddress

        out: dict[str, dict[tuple[str, int, int], int]] = {}
        for (ns, dev), addrs in self.addrs.items():
            for a in addrs:
                n = self.routes.get((ns, dev, self._prefix(a)))
                if n is not None:
                    i = ipaddress.IPv6Interface(a)
                    out.setdefault(ns, {})[(dev, int(i.ip), i.network.prefixlen)] = n
        return out

    def __init__(self, netdev: dict[str, list[str]]):
        self.netdev = {ns: list(devs) for ns, devs in netdev.items()}
        self.up: set[tuple[str, str]] = set()
        self.addrs: dict[tuple[str, str], list[str]] = {}
        self.routes: dict[tuple[str, str, str], int] = {}
        self.ends: dict[tuple[str, str], tuple[str, str]] = {}
        self.n = 0

    @staticmethod
    def _prefix(cidr: str) -> str:
        import ipaddress

        return str(ipaddress.IPv6Interface(cidr).network)

    def _route(self, ns: str, dev: str, cidr: str) -> None:
        key = (ns, dev, self._prefix(cidr))
        if key not in self.routes:
            self.routes[key] = self.n
            self.n += 1

    def _gone(self, key: tuple[str, str], deleted: bool) -> None:
        self.up.discard(key)
        self.addrs.pop(key, None)
        for k in [k for k in self.routes if k[:2] == key]:
            del self.routes[k]
        if deleted and key[1] in self.netdev.get(key[0], []):
            self.netdev[key[0]].remove(key[1])

    def apply(self, steps: Iterable[Step], fresh: bool) -> None:
        from .steps import AddrSpec, LinkSpec

        todo = list(steps)
        will_be_up = {(s.ns, s.obj) for s in todo if s.op == "up"} if fresh else set()
        for s in todo:
            key = (s.ns, s.obj)
            if s.op == "link" and isinstance(s.spec, LinkSpec):
                peer = (s.spec.peer_ns or s.ns, s.spec.peer) if s.spec.peer else None
                if not fresh:
                    if peer is not None:
                        self.netdev.setdefault(peer[0], ["lo"]).append(peer[1])
                    self.netdev.setdefault(s.ns, ["lo"]).append(s.obj)
                if peer is not None:
                    self.ends[key], self.ends[peer] = peer, key
                if created_up(s.spec.kind, key, will_be_up):
                    self.up.add(key)
            elif s.op == "del-link":
                self._gone(key, True)
                peer = self.ends.pop(key, None)
                if peer is not None:
                    self.ends.pop(peer, None)
                    self._gone(peer, True)
            elif s.op == "down":
                self._gone(key, False)
            elif s.op == "set-link":
                # below IPV6_MIN_MTU a device loses IPv6 (addrconf_notify NETDEV_CHANGEMTU
                # → addrconf_ifdown): its addresses and routes go, it stays up (§11.17)
                new = s.args.get("new") or {}
                for end, mtu in ((key, new.get("mtu")), (self.ends.get(key), new.get("peer_mtu"))):
                    if end is not None and mtu is not None and mtu < 1280:
                        was_up = end in self.up
                        self._gone(end, False)
                        if was_up:
                            self.up.add(end)
            elif s.op == "up":
                self.up.add(key)
                for a in self.addrs.get(key, []):
                    self._route(s.ns, s.obj, a)
            elif s.op in ("addr", "del-addr") and ":" in s.args.get("address", ""):
                a = s.args["address"]
                have = self.addrs.setdefault(key, [])
                if s.op == "del-addr":
                    if a in have:
                        have.remove(a)
                    p = self._prefix(a)
                    if not any(self._prefix(x) == p for x in have):
                        self.routes.pop((s.ns, s.obj, p), None)
                elif isinstance(s.spec, AddrSpec) and a not in have:
                    have.append(a)
                    if key in self.up:
                        self._route(s.ns, s.obj, a)
