"""nic: the machine's "physical" NIC, cabled to a port of an external switch."""

from typing import Literal

from ..base import InterfaceBase
from ..values import Name


class Nic(InterfaceBase):
    kind: Literal["nic"]
    switch: Name
