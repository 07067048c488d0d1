"""nic: a veth whose peer is a port of an external switch (networkd: the machine's own NIC)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import veth
from ._common import mode_label

if TYPE_CHECKING:
    from ...resolve import Iface, Resolved

KINDS = ("nic",)
BUILT_IN_PARENT_NS = False
NETWORK_KEYS: dict[str, str] = {}
dot_label = mode_label
ip_link = veth.ip_link


def netdev(r: Resolved, i: Iface) -> list[str]:
    return []


def netdev_owned(r: Resolved, i: Iface) -> bool:
    return False  # hardware: nothing creates it
