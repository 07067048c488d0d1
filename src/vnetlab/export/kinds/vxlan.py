"""vxlan: the UDP port always explicit (the kernel's default is the historical 8472)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...model.kinds.vxlan import Vxlan, VxlanLink
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
    assert isinstance(s, Vxlan)
    out = [
        "",
        "[VXLAN]",
        f"VNI={s.vni}",
        f"DestinationPort={s.dstport}",
        f"MacLearning={'yes' if s.learning else 'no'}",
    ]
    if s.remote:
        out.append(f"Remote={s.remote}")
    if s.group:
        out.append(f"Group={s.group}")
    if s.local:
        out.append(f"Local={s.local}")
    return out


def dot_label(i: Iface) -> str:
    assert isinstance(i.spec, Vxlan)
    return f"vxlan vni {i.spec.vni} port {i.spec.dstport}"
