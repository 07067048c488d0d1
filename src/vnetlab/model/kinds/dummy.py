"""dummy: a device with no link (`ip link add NAME type dummy`, drivers/net/dummy.c).

It never receives a frame and discards every one it is given; its addresses
are the node's own (local routes, answered on any device as the kernel's
weak host model does), which is what it is for: a stable address of a node,
e.g. a router's loopback.
"""

from typing import Literal

from ..base import InterfaceBase


class Dummy(InterfaceBase):
    kind: Literal["dummy"]
