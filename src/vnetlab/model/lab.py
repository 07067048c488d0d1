"""Lab, Node, Switch, Expectation: the top of the model.

Only fields and per-object rules live here; rules that relate several
objects (references, broadcast domains) are in ``check.py``.
"""

from typing import Any, Literal

from pydantic import Field, StrictInt, StrictStr

from .base import Frozen
from .kinds import Interface
from .routes import Neighbor, Route
from .values import Bool, Cidr, IfName, LabName, Name


class Switch(Frozen):
    hairpin: Bool = False
    vlan_filtering: Bool = False
    addresses: tuple[Cidr, ...] = ()


class Node(Frozen):
    interfaces: dict[IfName, Interface] = Field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    neighbors: tuple[Neighbor, ...] = ()
    sysctl: dict[StrictStr, StrictInt | StrictStr] = Field(default_factory=dict)
    #: the node's whole nftables ruleset, in nft's own syntax (checked by nft: see vnetlab.nft)
    nftables: StrictStr | None = None


class Expectation(Frozen):
    from_: Name = Field(alias="from")
    to: StrictStr
    reach: Bool
    why: StrictStr | None = None
    #: icmp (an echo request), or a TCP connection / UDP datagram to ``port`` (v1.1)
    proto: Literal["icmp", "tcp", "udp"] = "icmp"
    port: StrictInt | None = None
    #: the node or guest whose listener must answer (v1.1)
    answered_by: StrictStr | None = None

    model_config = Frozen.model_config | {"populate_by_name": True}


class LabStep(Frozen):
    """One step of ``steps:`` (v1.1): a JSON merge patch of the lab, and what then holds."""

    name: StrictStr
    set_: dict[StrictStr, Any] = Field(default_factory=dict, alias="set")
    expect: tuple[Expectation, ...] = ()

    model_config = Frozen.model_config | {"populate_by_name": True}


class Lab(Frozen):
    lab: LabName
    description: StrictStr | None = None
    switches: dict[Name, Switch] = Field(default_factory=dict)
    nodes: dict[Name, Node] = Field(min_length=1)
    expect: tuple[Expectation, ...] = ()
    steps: tuple[LabStep, ...] = ()

    # the one validator a command runs: built at import (the command's collector is paused then)
    model_config = Frozen.model_config | {"defer_build": False}
