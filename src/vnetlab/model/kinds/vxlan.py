"""vxlan: an L2 overlay over UDP.

``dstport`` defaults to the IANA 4789 and is always passed to the kernel
explicitly, because the kernel's own default is the historical 8472.

``remotes`` are extra default destinations: all-zero FDB entries
(``bridge fdb append 00:00:00:00:00:00 dev vx0 dst IP``), to each of which
the device sends a copy of every broadcast, multicast and unknown unicast
(head-end replication, the usual VXLAN segment without multicast).
"""

from __future__ import annotations

from typing import Any, Literal

from ..base import InterfaceBase
from ..values import IP, Bool, IfName, Port, Vni


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

    def link_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"vni": self.vni, "dstport": self.dstport, "learning": self.learning}
        for k in ("remote", "group", "local", "dev"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        if self.remotes:
            out["remotes"] = tuple(self.remotes)
        return out

    def local_deps(self) -> tuple[str, ...]:
        return (self.dev,) if self.dev is not None else ()
