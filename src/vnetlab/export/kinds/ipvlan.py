"""ipvlan: made on the parent, in its namespace, then moved; mode and flag always explicit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...model.kinds.ipvlan import Ipvlan, IpvlanLink
from ._common import link_spec, mac_mtu, mode_label, moved, owned, word

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("ipvlan",)
BUILT_IN_PARENT_NS = True
NETWORK_KEYS = {"ipvlan": "IPVLAN"}
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    a = link_spec(s)
    f = a.fields
    assert isinstance(f, IpvlanLink)
    _, mtu = mac_mtu(s)
    return [f"link add name {word(s.obj)} link {word(a.parent)}{mtu}{moved(r, s)} type ipvlan mode {f.mode} {f.flag}"]


def netdev(r: Resolved, i: Iface) -> list[str]:
    s = i.spec
    assert isinstance(s, Ipvlan)
    return ["", "[IPVLAN]", f"Mode={s.mode.upper()}", f"Flags={s.flag}"]


def dot_label(i: Iface) -> str:
    assert isinstance(i.spec, Ipvlan)
    return f"{mode_label(i)} {i.spec.flag}"
