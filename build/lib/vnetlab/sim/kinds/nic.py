"""nic: the machine's NIC, a veth whose other end is a port of a switch.

The switch (an external learning L2 switch) is a bridge in a namespace of its
own, exactly as the kernel backend builds it; see ``build.Builder.switch``.
"""

from __future__ import annotations

from ..world import Device
from .veth import VethDev


class NicDev(VethDev):
    kind = "nic"


def build(b: object, iface: object) -> Device:
    from ..build import Builder

    assert isinstance(b, Builder)
    return b.plain(NicDev, iface)
