"""vxlan: an L2 overlay over UDP.

``dstport`` defaults to the IANA 4789 and is always passed to the kernel
explicitly, because the kernel's own default is the historical 8472.
"""

from __future__ import annotations

from typing import Literal

from ..base import InterfaceBase
from ..values import IP, Bool, IfName, Port, Vni


class Vxlan(InterfaceBase):
    kind: Literal["vxlan"]
    vni: Vni
    remote: IP | None = None
    group: IP | None = None
    local: IP | None = None
    dev: IfName | None = None
    dstport: Port = 4789
    learning: Bool = True
