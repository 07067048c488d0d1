"""veth and nic: both ends created in one request, each directly in its namespace
(IFLA_NET_NS_FD on the link and on the peer), so nothing is moved afterwards."""

from __future__ import annotations

from typing import Any

from ...plan.steps import Step
from ._common import Decoding, Executor, link_spec


def link_args(step: Step, ex: Executor) -> tuple[str, dict[str, Any]]:
    a = link_spec(step)
    peer: dict[str, Any] = {"ifname": a.peer, "address": a.peer_mac, "net_ns_fd": ex.netns(a.peer_ns or step.ns)}
    if a.peer_mtu:
        peer["mtu"] = a.peer_mtu
    kw: dict[str, Any] = {"ifname": step.obj, "kind": "veth", "address": a.mac, "peer": peer}
    if a.mtu:
        kw["mtu"] = a.mtu
    return step.ns, kw


KINDS = ("veth", "nic")
CONFIG = {"veth": "CONFIG_VETH", "nic": "CONFIG_VETH"}
DECODES = ("veth",)
LINKED = "peer"


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    return True  # the probe's base device is a veth pair


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    return [f"kind: veth, peer: {d.ref(d.linked(ln))}"], ln.mac
