"""dummy (drivers/net/dummy.c): no link at all.

dummy_setup sets IFF_NOARP (so a neighbour on it needs no resolution) and the
carrier is always on; dummy_xmit counts the frame and frees it. Nothing is
ever received on it. Its addresses are the node's like any other (local
routes in the local table), so they answer from whichever device a packet
for them arrives on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..world import Device

if TYPE_CHECKING:
    from ...resolve import Iface
    from ..frame import Frame
    from ._common import BuildContext

KINDS = ("dummy",)


class DummyDev(Device):
    kind = "dummy"
    noarp = True

    def xmit(self, frame: Frame) -> None:
        self.world.drop(self, frame, "dummy-xmit", "dummy_xmit", "a dummy device discards every frame it is given")


def build(b: BuildContext, iface: Iface) -> Device:
    return b.plain(DummyDev, iface)
