"""veth: one end of a pair; ``peer`` names the other end, maybe in another node."""

from typing import Literal

from ..base import InterfaceBase
from ..values import Ref


class Veth(InterfaceBase):
    kind: Literal["veth"]
    peer: Ref
