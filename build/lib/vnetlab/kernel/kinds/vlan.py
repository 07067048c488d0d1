"""802.1Q/802.1ad sub-interface on a parent in the same namespace."""

from __future__ import annotations

from typing import Any

PROTO = {"802.1Q": 0x8100, "802.1ad": 0x88A8}


def link_args(step: Any, ex: Any) -> tuple[str, dict[str, Any]]:
    a = step.args
    kw: dict[str, Any] = {
        "ifname": step.obj,
        "kind": "vlan",
        "link": ex.index(step.ns, a["parent"]),
        "vlan_id": a["id"],
        "vlan_protocol": PROTO[a["protocol"]],
    }
    if a.get("mac"):
        kw["address"] = a["mac"]
    if a.get("mtu"):
        kw["mtu"] = a["mtu"]
    return step.ns, kw
