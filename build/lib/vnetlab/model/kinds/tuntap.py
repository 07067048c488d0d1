"""tap and tun: devices whose other side is a file descriptor held by a guest.

Without a guest nobody holds the descriptor, so (as with a VM that is off)
the device has no carrier.
"""

from __future__ import annotations

from typing import Literal

from ..base import InterfaceBase
from ..guest import Guest


class Tap(InterfaceBase):
    kind: Literal["tap"]
    guest: Guest | None = None


class Tun(InterfaceBase):
    kind: Literal["tun"]
    guest: Guest | None = None
    ETHERNET = False
