"""vxlan: the destination port is always passed (the kernel's default is 8472).

``remotes`` become all-zero FDB entries appended after the link exists
(RTM_NEWNEIGH, AF_BRIDGE, NLM_F_APPEND, NDA_LLADDR 00:00:00:00:00:00,
NDA_DST; vxlan_fdb_add → vxlan_fdb_update_existing adds one more rdst), what
`bridge fdb append 00:00:00:00:00:00 dev vx0 dst IP` sends.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ...model.kinds.vxlan import VxlanLink
from ...plan.steps import Step
from ._common import Decoding, Executor, link_spec


def link_args(step: Step, ex: Executor) -> tuple[str, dict[str, Any]]:
    a = link_spec(step)
    f = a.fields
    assert isinstance(f, VxlanLink)
    kw: dict[str, Any] = {
        "ifname": step.obj,
        "kind": "vxlan",
        "address": a.mac,
        "vxlan_id": f.vni,
        "vxlan_port": f.dstport,
        "vxlan_learning": 1 if f.learning else 0,
    }
    dst = f.remote or f.group
    if dst:
        kw["vxlan_group6" if ":" in dst else "vxlan_group"] = dst
    if f.local:
        kw["vxlan_local6" if ":" in f.local else "vxlan_local"] = f.local
    if f.dev:
        kw["vxlan_link"] = ex.index(step.ns, f.dev)
    if a.mtu:
        kw["mtu"] = a.mtu
    return step.ns, kw


ZERO_MAC = "00:00:00:00:00:00"


def after(step: Step, ex: Executor) -> None:
    """Head-end replication: one more default destination per ``remotes`` entry."""
    f = link_spec(step).fields
    assert isinstance(f, VxlanLink)
    if f.remotes:
        h = ex.ipr(step.ns)
        idx = ex.index(step.ns, step.obj)
        for ip in f.remotes:
            h.fdb("append", ifindex=idx, lladdr=ZERO_MAC, dst=ip)


KINDS = ("vxlan",)
CONFIG = {"vxlan": "CONFIG_VXLAN"}
DECODES = ("vxlan",)
LINKED = None


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    h.link("add", ifname=name, kind="vxlan", vxlan_id=7, vxlan_port=4789)
    return True


def _ip(x: str) -> str:
    """An address as a YAML scalar: an IPv6 one quoted (a plain one of colons and digits
    alone could read as a YAML 1.1 base-60 number)."""
    return f'"{x}"' if ":" in x else x


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    a = ln.data
    fields = [f"kind: vxlan, vni: {a.get('IFLA_VXLAN_ID')}, dstport: {a.get('IFLA_VXLAN_PORT')}"]
    # an IPv6 underlay's remote/group and local come as GROUP6/LOCAL6 (vxlan_fill_info)
    first = a.get("IFLA_VXLAN_GROUP") or a.get("IFLA_VXLAN_GROUP6")
    if first:
        key = "group" if ipaddress.ip_address(first).is_multicast else "remote"
        fields.append(f"{key}: {_ip(first)}")
    more = [x for x in ln.zero_dsts if ipaddress.ip_address(x) != ipaddress.ip_address(first or "::")]
    if more:
        fields.append(f"remotes: [{', '.join(_ip(x) for x in more)}]")
    local = a.get("IFLA_VXLAN_LOCAL") or a.get("IFLA_VXLAN_LOCAL6")
    if local:
        fields.append(f"local: {_ip(local)}")
    if a.get("IFLA_VXLAN_LINK") and d.emitted(a["IFLA_VXLAN_LINK"]):
        fields.append(f"dev: {d.q(d.links[a['IFLA_VXLAN_LINK']].name)}")
    if a.get("IFLA_VXLAN_LEARNING") == 0:
        fields.append("learning: false")
    return fields, ln.mac
