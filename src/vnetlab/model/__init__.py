"""The lab model: frozen, typed, plain data (stdlib + pydantic only)."""

from .base import InterfaceBase, PortOptions
from .guest import Guest
from .kinds import CHILD_KINDS, KINDS, Interface
from .lab import Expectation, Lab, LabStep, Node, Switch
from .routes import Neighbor, Route

__all__ = [
    "CHILD_KINDS",
    "KINDS",
    "Expectation",
    "Guest",
    "Interface",
    "InterfaceBase",
    "Lab",
    "LabStep",
    "Neighbor",
    "Node",
    "PortOptions",
    "Route",
    "Switch",
]
