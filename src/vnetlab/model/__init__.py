"""The lab model: frozen, typed, plain data (stdlib + pydantic only).

The modules that define pydantic models do not use ``from __future__ import
annotations``: Python evaluates their annotations once, where pydantic would
evaluate each string again while building the schemas (a fifth of the time it
takes to build the model, paid by every command that loads a lab).
"""

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
