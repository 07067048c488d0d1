"""vxlan: the UDP port always explicit (the kernel's default is the historical 8472)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...model.kinds.vxlan import VxlanLink
from ._common import link_spec, mac_mtu, owned, word

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("vxlan",)
BUILT_IN_PARENT_NS = False
NETWORK_KEYS = {"vxlan": "VXLAN"}  # on its underlay device (dev)
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    f = link_spec(s).fields
    assert isinstance(f, VxlanLink)
    mac, mtu = mac_mtu(s)
    dst = f" remote {f.remote}" if f.remote else f" group {f.group}" if f.group else ""
    local = f" local {f.local}" if f.local else ""
    dev = f" dev {word(f.dev)}" if f.dev else ""
    learn = "" if f.learning else " nolearning"
    return [f"link add name {word(s.obj)}{mac}{mtu} type vxlan id {f.vni}{dst}{local}{dev} dstport {f.dstport}{learn}"]


def netdev(r: Resolved, i: Iface) -> list[str]:
    s = i.spec
    out = [
        "",
        "[VXLAN]",
        f"VNI={s.vni}",  # type: ignore[attr-defined]
        f"DestinationPort={s.dstport}",  # type: ignore[attr-defined]
        f"MacLearning={'yes' if s.learning else 'no'}",  # type: ignore[attr-defined]
    ]
    if s.remote:  # type: ignore[attr-defined]
        out.append(f"Remote={s.remote}")  # type: ignore[attr-defined]
    if s.group:  # type: ignore[attr-defined]
        out.append(f"Group={s.group}")  # type: ignore[attr-defined]
    if s.local:  # type: ignore[attr-defined]
        out.append(f"Local={s.local}")  # type: ignore[attr-defined]
    return out


def dot_label(i: Iface) -> str:
    return f"vxlan vni {i.spec.vni} port {i.spec.dstport}"  # type: ignore[attr-defined]
