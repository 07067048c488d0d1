"""802.1Q/802.1ad sub-interface on a parent in the same namespace."""

from __future__ import annotations

from typing import Any

from ...model.kinds.vlan import VlanLink
from ...plan.steps import Step
from ._common import Decoding, Executor, link_spec

PROTO = {"802.1Q": 0x8100, "802.1ad": 0x88A8}


def link_args(step: Step, ex: Executor) -> tuple[str, dict[str, Any]]:
    a = link_spec(step)
    f = a.fields
    assert isinstance(f, VlanLink) and a.parent is not None
    kw: dict[str, Any] = {
        "ifname": step.obj,
        "kind": "vlan",
        "link": ex.index(step.ns, a.parent),
        "vlan_id": f.id,
        "vlan_protocol": PROTO[f.protocol],
    }
    if a.mac:
        kw["address"] = a.mac
    if a.mtu:
        kw["mtu"] = a.mtu
    return step.ns, kw


KINDS = ("vlan",)
CONFIG = {"vlan": "CONFIG_VLAN_8021Q"}
DECODES = ("vlan",)
LINKED = "parent"


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    h.link("add", ifname=name, kind="vlan", link=base, vlan_id=7)
    return True


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    parent = d.linked(ln)
    proto = ", protocol: 802.1ad" if ln.data.get("IFLA_VLAN_PROTOCOL") == PROTO["802.1ad"] else ""
    fields = [f"kind: vlan, parent: {d.ref(parent)}, id: {ln.data.get('IFLA_VLAN_ID')}{proto}"]
    return fields, None if ln.mac == parent.mac else ln.mac
