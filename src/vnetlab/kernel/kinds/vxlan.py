"""vxlan: the destination port is always passed (the kernel's default is 8472).

``remotes`` become all-zero FDB entries appended after the link exists
(RTM_NEWNEIGH, AF_BRIDGE, NLM_F_APPEND, NDA_LLADDR 00:00:00:00:00:00,
NDA_DST; vxlan_fdb_add → vxlan_fdb_update_existing adds one more rdst), what
`bridge fdb append 00:00:00:00:00:00 dev vx0 dst IP` sends.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ._common import Decoding


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


ZERO_MAC = "00:00:00:00:00:00"


def after(step: Any, ex: Any) -> None:
    """Head-end replication: one more default destination per ``remotes`` entry."""
    remotes = step.args.get("remotes", ())
    if remotes:
        h = ex.ipr(step.ns)
        idx = ex.index(step.ns, step.obj)
        for ip in remotes:
            h.fdb("append", ifindex=idx, lladdr=ZERO_MAC, dst=ip)


KINDS = ("vxlan",)
CONFIG = {"vxlan": "CONFIG_VXLAN"}
DECODES = ("vxlan",)
LINKED = None


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    h.link("add", ifname=name, kind="vxlan", vxlan_id=7, vxlan_port=4789)
    return True


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    a = ln.data
    fields = [f"kind: vxlan, vni: {a.get('IFLA_VXLAN_ID')}, dstport: {a.get('IFLA_VXLAN_PORT')}"]
    first = a.get("IFLA_VXLAN_GROUP")
    if first:
        key = "group" if ipaddress.ip_address(first).is_multicast else "remote"
        fields.append(f"{key}: {first}")
    more = [x for x in ln.zero_dsts if x != first]
    if more:
        fields.append(f"remotes: [{', '.join(more)}]")
    if a.get("IFLA_VXLAN_LOCAL"):
        fields.append(f"local: {a['IFLA_VXLAN_LOCAL']}")
    if a.get("IFLA_VXLAN_LINK") and d.emitted(a["IFLA_VXLAN_LINK"]):
        fields.append(f"dev: {d.q(d.links[a['IFLA_VXLAN_LINK']].name)}")
    if a.get("IFLA_VXLAN_LEARNING") == 0:
        fields.append("learning: false")
    return fields, ln.mac
