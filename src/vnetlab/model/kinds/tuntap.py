"""tap and tun: devices whose other side is a file descriptor held by a guest.

Without a guest nobody holds the descriptor, so (as with a VM that is off)
the device has no carrier.
"""

from typing import Literal

from ..base import InterfaceBase
from ..guest import Guest


class Tap(InterfaceBase):
    kind: Literal["tap"]
    guest: Guest | None = None
    #: tun.c: max_mtu = MAX_MTU (65535) - dev->hard_header_len (ETH_HLEN for a tap)
    MAX_MTU = 65535 - 14


class Tun(InterfaceBase):
    kind: Literal["tun"]
    guest: Guest | None = None
    ETHERNET = False
