"""vxlan: an L2 overlay over UDP.

``dstport`` defaults to the IANA 4789 and is always passed to the kernel
explicitly, because the kernel's own default is the historical 8472.

``remotes`` are extra default destinations: all-zero FDB entries
(``bridge fdb append 00:00:00:00:00:00 dev vx0 dst IP``), to each of which
the device sends a copy of every broadcast, multicast and unknown unicast
(head-end replication, the usual VXLAN segment without multicast).
"""

from dataclasses import dataclass
from typing import Literal

from ..base import InterfaceBase
from ..stepspec import KindFields, falsy, opt
from ..values import IP, Bool, IfName, Port, Vni


@dataclass(frozen=True)
class VxlanLink(KindFields):
    vni: int
    dstport: int
    learning: bool
    remote: str | None = opt()
    group: str | None = opt()
    local: str | None = opt()
    dev: str | None = opt()
    remotes: tuple[str, ...] = opt((), falsy)


class Vxlan(InterfaceBase):
    kind: Literal["vxlan"]
    vni: Vni
    remote: IP | None = None
    group: IP | None = None
    remotes: tuple[IP, ...] = ()
    local: IP | None = None
    dev: IfName | None = None
    dstport: Port = 4789
    learning: Bool = True

    def link_fields(self) -> VxlanLink:
        return VxlanLink(
            self.vni, self.dstport, self.learning, self.remote, self.group, self.local, self.dev, tuple(self.remotes)
        )

    def local_deps(self) -> tuple[str, ...]:
        return (self.dev,) if self.dev is not None else ()
