"""The routes the kernel makes itself from a node's addresses, and how a lab route
compares with them (docs/kernel-semantics.md, "Routes the kernel derives").

When the lab's routes are added (after every address, and after the links are
up) a node's main table already holds:

* IPv4: for every address shorter than /32 on a device that is up, its prefix
  route ``NET dev DEV proto kernel scope link src ADDR`` with metric 0, once
  per device (fib_add_ifaddr; two devices in one subnet get one each);
* IPv6: for every address on a device that is up, ``NET dev DEV proto kernel
  metric 256`` (/128 included; addrconf_prefix_route), and ``fe80::/64 dev DEV
  metric 256`` on every device with a link-local address.

``ip route add`` (NLM_F_EXCL, as pyroute2's ``route("add")``) refuses any route
with the destination and metric of one already in the table, whatever its device
or gateway: "File exists" (fib_table_insert / fib6_add_rt2node). A lab route
*identical* to a kernel-made one (same destination, same device, no gateway, the
kernel's metric) states what the kernel already did: it is a no-op, never an
error. Any other lab route with a kernel route's destination and metric is
refused by ``validate`` (rule ``route-exists``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from ..model import Route
from ..resolve import Resolved

#: the metric of the routes the kernel derives, and of a lab route without one
KERNEL_METRIC = {4: 0, 6: 256}
DEFAULT_METRIC = {4: 0, 6: 1024}

Net = ipaddress.IPv4Network | ipaddress.IPv6Network
#: what the kernel's "File exists" compares: family, destination, metric
RouteKey = tuple[int, Net, int]

LINK_LOCAL = ipaddress.IPv6Network("fe80::/64")


def route_key(to: str, via: str | None, metric: int | None) -> RouteKey:
    """The key of a lab route in the kernel's table (the family as `up` picks it)."""
    v6 = ":" in to or ":" in (via or "")
    net = ipaddress.ip_network(("::/0" if v6 else "0.0.0.0/0") if to == "default" else to)
    fam = net.version
    return fam, net, DEFAULT_METRIC[fam] if metric is None else metric


@dataclass(frozen=True)
class KernelRoute:
    net: Net
    dev: str
    metric: int
    src: str | None = None

    def describe(self) -> str:
        if self.net.version == 4:
            return f"{self.net} dev {self.dev} proto kernel scope link src {self.src}"
        return f"{self.net} dev {self.dev} proto kernel metric {self.metric}"


def kernel_routes(r: Resolved, node: str) -> dict[RouteKey, list[KernelRoute]]:
    """The routes the kernel has made in ``node``'s main table by the time its lab routes are added."""
    out: dict[RouteKey, list[KernelRoute]] = {}

    def add(kr: KernelRoute) -> None:
        same = out.setdefault((kr.net.version, kr.net, kr.metric), [])
        if all(k.dev != kr.dev for k in same):  # one per device (a secondary address adds none)
            same.append(kr)

    for i in r.node_ifaces(node):
        if not i.spec.up or i.name == "lo":
            continue  # a device that is down has no prefix route (measured, IPv6 too)
        for a in i.spec.addresses:
            iface = ipaddress.ip_interface(a)
            if iface.version == 4:
                if iface.network.prefixlen < 32 and iface.network.network_address not in _ZERONET:
                    add(KernelRoute(iface.network, i.name, 0, str(iface.ip)))
            else:
                add(KernelRoute(iface.network, i.name, 256))
        if type(i.spec).ETHERNET and (i.spec.mtu is None or i.spec.mtu >= 1280):
            add(KernelRoute(LINK_LOCAL, i.name, 256))
    return out


_ZERONET = ipaddress.IPv4Network("0.0.0.0/8")


def compare(
    rt: Route, kernel: dict[RouteKey, list[KernelRoute]]
) -> tuple[Literal["same", "clash"], KernelRoute] | None:
    """ "same" if ``rt`` is identical to a kernel-made route (a no-op), "clash" if the
    kernel refuses it because of one ("File exists"), None if it is unrelated."""
    made = kernel.get(route_key(rt.to, rt.via, rt.metric))
    if not made:
        return None
    if rt.via is None:
        for k in made:
            if k.dev == rt.dev:
                return "same", k
    return "clash", made[0]


def is_kernel_made(rt: Route, kernel: dict[RouteKey, list[KernelRoute]]) -> bool:
    c = compare(rt, kernel)
    return c is not None and c[0] == "same"
