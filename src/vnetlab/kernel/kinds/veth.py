"""veth and nic: both ends created in one request, each directly in its namespace
(IFLA_NET_NS_FD on the link and on the peer), so nothing is moved afterwards."""

from __future__ import annotations

from typing import Any

from ._common import Decoding


def link_args(step: Any, ex: Any) -> tuple[str, dict[str, Any]]:
    a = step.args
    peer: dict[str, Any] = {"ifname": a["peer"], "address": a["peer_mac"], "net_ns_fd": ex.netns(a["peer_ns"])}
    if a.get("peer_mtu"):
        peer["mtu"] = a["peer_mtu"]
    kw: dict[str, Any] = {"ifname": step.obj, "kind": "veth", "address": a["mac"], "peer": peer}
    if a.get("mtu"):
        kw["mtu"] = a["mtu"]
    return step.ns, kw


KINDS = ("veth", "nic")
CONFIG = {"veth": "CONFIG_VETH", "nic": "CONFIG_VETH"}
DECODES = ("veth",)
LINKED = "peer"


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    return True  # the probe's base device is a veth pair


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    return [f"kind: veth, peer: {d.ref(d.linked(ln))}"], ln.mac
