"""veth and nic: both ends created in one request, each directly in its namespace
(IFLA_NET_NS_FD on the link and on the peer), so nothing is moved afterwards."""

from __future__ import annotations

from typing import Any


def link_args(step: Any, ex: Any) -> tuple[str, dict[str, Any]]:
    a = step.args
    peer: dict[str, Any] = {"ifname": a["peer"], "address": a["peer_mac"], "net_ns_fd": ex.netns(a["peer_ns"])}
    if a.get("peer_mtu"):
        peer["mtu"] = a["peer_mtu"]
    kw: dict[str, Any] = {"ifname": step.obj, "kind": "veth", "address": a["mac"], "peer": peer}
    if a.get("mtu"):
        kw["mtu"] = a["mtu"]
    return step.ns, kw
