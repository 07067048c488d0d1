"""macvlan and macvtap: made on the parent, in its namespace, then moved; the mode always explicit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...model.kinds.macvlan import Macvlan, MacvlanLink, Macvtap
from ._common import link_spec, mode_label, on_parent, owned, typed

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("macvlan", "macvtap")
BUILT_IN_PARENT_NS = True
NETWORK_KEYS = {"macvlan": "MACVLAN", "macvtap": "MACVTAP"}
dot_label = mode_label
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    a = link_spec(s)
    f = typed(a.fields, MacvlanLink)
    flags = " nopromisc" if f.nopromisc else ""
    return [on_parent(r, s, f"{a.kind} mode {f.mode}{flags}")]


def netdev(r: Resolved, i: Iface) -> list[str]:
    s = i.spec
    assert isinstance(s, Macvlan | Macvtap)
    out = ["", f"[{i.kind.upper()}]", f"Mode={s.mode}"]
    return out + [f"SourceMACAddress={m}" for m in s.source_macs]
