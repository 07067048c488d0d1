"""dummy: `ip link add … type dummy`; networkd's Kind=dummy has no section of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import mac_mtu, mode_label, owned, word

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("dummy",)
BUILT_IN_PARENT_NS = False
NETWORK_KEYS: dict[str, str] = {}
dot_label = mode_label
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    mac, mtu = mac_mtu(s)
    return [f"link add name {word(s.obj)}{mac}{mtu} type dummy"]


def netdev(r: Resolved, i: Iface) -> list[str]:
    return []
