"""bridge: STP off and a fixed MAC (set explicitly, so it never follows the ports)."""

from __future__ import annotations

from typing import Any

from ...model.kinds.bridge import BridgeLink
from ...plan.steps import Step
from ._common import Decoding, Executor, link_spec


def link_args(step: Step, ex: Executor) -> tuple[str, dict[str, Any]]:
    a = link_spec(step)
    f = a.fields
    assert isinstance(f, BridgeLink)
    kw: dict[str, Any] = {"ifname": step.obj, "kind": "bridge", "address": a.mac, "br_stp_state": 1 if f.stp else 0}
    if f.vlan_filtering:
        kw["br_vlan_filtering"] = 1
    if f.default_pvid != 1:
        kw["br_vlan_default_pvid"] = f.default_pvid
    if a.mtu:
        kw["mtu"] = a.mtu
    return step.ns, kw


KINDS = ("bridge",)
CONFIG = {"bridge": "CONFIG_BRIDGE", "vlan_filtering": "CONFIG_BRIDGE_VLAN_FILTERING"}
DECODES = ("bridge",)
LINKED = None


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    h.link("add", ifname=name, kind="bridge", **({"br_vlan_filtering": 1} if kind == "vlan_filtering" else {}))
    return True


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    fields = ["kind: bridge"]
    if ln.data.get("IFLA_BR_VLAN_FILTERING"):
        fields.append("vlan_filtering: true")
        if (ln.data.get("IFLA_BR_VLAN_DEFAULT_PVID") or 1) != 1:
            fields.append(f"default_pvid: {ln.data['IFLA_BR_VLAN_DEFAULT_PVID']}")
    # a bridge whose MAC was never set takes its lowest port's: the kernel's choice, not the lab's
    mac = None if any(p.master == ln.index and p.mac == ln.mac for p in d.links.values()) else ln.mac
    return fields, mac
