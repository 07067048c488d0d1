"""vlan: an 802.1Q/802.1ad sub-interface, made on its parent in the same node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...model.kinds.vlan import Vlan, VlanLink
from ._common import link_spec, mac_mtu, owned, word

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("vlan",)
BUILT_IN_PARENT_NS = False
NETWORK_KEYS = {"vlan": "VLAN"}
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    a = link_spec(s)
    f = a.fields
    assert isinstance(f, VlanLink)
    mac, mtu = mac_mtu(s)
    return [f"link add name {word(s.obj)} link {word(a.parent)}{mac}{mtu} type vlan id {f.id} protocol {f.protocol}"]


def netdev(r: Resolved, i: Iface) -> list[str]:
    s = i.spec
    assert isinstance(s, Vlan)
    return ["", "[VLAN]", f"Id={s.id}", f"Protocol={s.protocol.lower()}"]


def dot_label(i: Iface) -> str:
    assert isinstance(i.spec, Vlan)
    return f"vlan {i.spec.protocol} id {i.spec.id}"
