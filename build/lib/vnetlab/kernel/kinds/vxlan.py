"""vxlan: the destination port is always passed (the kernel's default is 8472)."""

from __future__ import annotations

from typing import Any


def link_args(step: Any, ex: Any) -> tuple[str, dict[str, Any]]:
    a = step.args
    kw: dict[str, Any] = {
        "ifname": step.obj,
        "kind": "vxlan",
        "address": a["mac"],
        "vxlan_id": a["vni"],
        "vxlan_port": a["dstport"],
        "vxlan_learning": 1 if a["learning"] else 0,
    }
    dst = a.get("remote") or a.get("group")
    if dst:
        kw["vxlan_group6" if ":" in dst else "vxlan_group"] = dst
    if a.get("local"):
        kw["vxlan_local6" if ":" in a["local"] else "vxlan_local"] = a["local"]
    if a.get("dev"):
        kw["vxlan_link"] = ex.index(step.ns, a["dev"])
    if a.get("mtu"):
        kw["mtu"] = a["mtu"]
    return step.ns, kw
