"""vlan: an 802.1Q/802.1ad sub-interface, made on its parent in the same node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...model.kinds.vlan import Vlan, VlanLink
from ._common import link_spec, on_parent, owned, typed

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("vlan",)
BUILT_IN_PARENT_NS = False
NETWORK_KEYS = {"vlan": "VLAN"}
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    f = typed(link_spec(s).fields, VlanLink)
    return [on_parent(r, s, f"vlan id {f.id} protocol {f.protocol}")]


def netdev(r: Resolved, i: Iface) -> list[str]:
    s = typed(i.spec, Vlan)
    return ["", "[VLAN]", f"Id={s.id}", f"Protocol={s.protocol.lower()}"]


def dot_label(i: Iface) -> str:
    s = typed(i.spec, Vlan)
    return f"vlan {s.protocol} id {s.id}"
