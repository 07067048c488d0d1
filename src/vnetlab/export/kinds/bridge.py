"""bridge: `ip link add … type bridge`, STP and VLAN filtering explicit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...model.kinds.bridge import Bridge, BridgeLink
from ._common import link_spec, mac_mtu, mode_label, owned, word

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("bridge",)
BUILT_IN_PARENT_NS = False
NETWORK_KEYS: dict[str, str] = {}
dot_label = mode_label
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    f = link_spec(s).fields
    assert isinstance(f, BridgeLink)
    mac, mtu = mac_mtu(s)
    extra = " vlan_filtering 1" if f.vlan_filtering else ""
    extra += f" vlan_default_pvid {f.default_pvid}" if f.default_pvid != 1 else ""
    return [f"link add name {word(s.obj)}{mac}{mtu} type bridge stp_state {1 if f.stp else 0}{extra}"]


def netdev(r: Resolved, i: Iface) -> list[str]:
    s = i.spec
    assert isinstance(s, Bridge)
    out = [
        "",
        "[Bridge]",
        f"STP={'yes' if s.stp else 'no'}",
        f"VLANFiltering={'yes' if s.vlan_filtering else 'no'}",
    ]
    if s.vlan_filtering:
        out.append(f"DefaultPVID={s.default_pvid}")
    return out
