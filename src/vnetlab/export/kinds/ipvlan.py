"""ipvlan: made on the parent, in its namespace, then moved; mode and flag always explicit
(no address: an ipvlan has its parent's MAC)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...model.kinds.ipvlan import Ipvlan, IpvlanLink
from ._common import link_spec, mode_label, on_parent, owned, typed

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("ipvlan",)
BUILT_IN_PARENT_NS = True
NETWORK_KEYS = {"ipvlan": "IPVLAN"}
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    f = typed(link_spec(s).fields, IpvlanLink)
    return [on_parent(r, s, f"ipvlan mode {f.mode} {f.flag}")]


def netdev(r: Resolved, i: Iface) -> list[str]:
    s = typed(i.spec, Ipvlan)
    return ["", "[IPVLAN]", f"Mode={s.mode.upper()}", f"Flags={s.flag}"]


def dot_label(i: Iface) -> str:
    return f"{mode_label(i)} {typed(i.spec, Ipvlan).flag}"
