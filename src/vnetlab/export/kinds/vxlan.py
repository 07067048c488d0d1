"""vxlan: the UDP port always explicit (the kernel's default is the historical 8472)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import mac_mtu, owned, word

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("vxlan",)
BUILT_IN_PARENT_NS = False
NETWORK_KEYS = {"vxlan": "VXLAN"}  # on its underlay device (dev)
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    a = s.args
    mac, mtu = mac_mtu(s)
    dst = f" remote {a['remote']}" if a.get("remote") else f" group {a['group']}" if a.get("group") else ""
    local = f" local {a['local']}" if a.get("local") else ""
    dev = f" dev {word(a['dev'])}" if a.get("dev") else ""
    learn = "" if a["learning"] else " nolearning"
    return [
        f"link add name {word(s.obj)}{mac}{mtu} type vxlan id {a['vni']}{dst}{local}{dev} dstport {a['dstport']}{learn}"
    ]


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
