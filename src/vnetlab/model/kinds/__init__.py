"""The model half of every device kind.

``KINDS`` is the single registry: the discriminated union ``Interface`` is
built from it, and the simulator and kernel backend keep registries with the
same keys (a parity test holds them equal).
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Annotated, Any

from pydantic import Field

from ..base import InterfaceBase
from .bridge import Bridge
from .dummy import Dummy
from .ipvlan import Ipvlan
from .macvlan import Macvlan, Macvtap
from .nic import Nic
from .tuntap import Tap, Tun
from .veth import Veth
from .vlan import Vlan
from .vxlan import Vxlan

KINDS: dict[str, type[InterfaceBase]] = {
    "nic": Nic,
    "veth": Veth,
    "bridge": Bridge,
    "tap": Tap,
    "tun": Tun,
    "macvlan": Macvlan,
    "macvtap": Macvtap,
    "ipvlan": Ipvlan,
    "vlan": Vlan,
    "vxlan": Vxlan,
    "dummy": Dummy,
}

#: kinds that stack on a ``parent`` (created there, then moved)
CHILD_KINDS = frozenset(k for k, cls in KINDS.items() if cls.CHILD)

_union: Any = reduce(or_, KINDS.values())
Interface = Annotated[_union, Field(discriminator="kind")]

__all__ = ["KINDS", "CHILD_KINDS", "Interface", *(c.__name__ for c in KINDS.values())]
