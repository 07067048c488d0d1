"""nic: the machine's NIC, a veth whose other end is a port of a switch.

The switch (an external learning L2 switch) is a bridge in a namespace of its
own, exactly as the kernel backend builds it; see ``build.Builder.switch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..world import Device
from .veth import VethDev

if TYPE_CHECKING:
    from ...resolve import Iface
    from ._common import BuildContext

KINDS = ("nic",)


class NicDev(VethDev):
    kind = "nic"


def build(b: BuildContext, iface: Iface) -> Device:
    return b.plain(NicDev, iface)
