"""bridge: STP off and a fixed MAC (set explicitly, so it never follows the ports)."""

from __future__ import annotations

from typing import Any


def link_args(step: Any, ex: Any) -> tuple[str, dict[str, Any]]:
    a = step.args
    kw: dict[str, Any] = {
        "ifname": step.obj,
        "kind": "bridge",
        "address": a["mac"],
        "br_stp_state": 1 if a.get("stp") else 0,
    }
    if a.get("vlan_filtering"):
        kw["br_vlan_filtering"] = 1
    if a.get("default_pvid"):
        kw["br_vlan_default_pvid"] = a["default_pvid"]
    if a.get("mtu"):
        kw["mtu"] = a["mtu"]
    return step.ns, kw
