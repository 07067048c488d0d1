"""What a simulator kind's ``build`` may ask of the builder (sim/build.py's Builder is one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from ...resolve import Iface, IfKey, Resolved
    from ..stack import Stack
    from ..world import Device, World

D = TypeVar("D", bound="Device")

#: what every module of this package defines (the parity test checks each)
ADAPTER_ATTRS = ("KINDS", "build")


class BuildContext(Protocol):
    r: Resolved
    world: World
    stacks: dict[str, Stack]

    def plain(self, cls: type[D], iface: Iface, **kw: Any) -> D:
        """A device of class ``cls`` for ``iface``: its node, name, MAC, admin state and MTU."""
        ...

    def device_of(self, key: IfKey) -> Device:
        """The device of ``key``, made first if it is not yet (a parent before its child)."""
        ...
