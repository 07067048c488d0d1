"""A guest: the emulated OS behind a tap or macvtap descriptor."""

from .base import Frozen
from .routes import Neighbor, Route
from .values import Cidr, Mac, Name


class Guest(Frozen):
    name: Name
    addresses: tuple[Cidr, ...] = ()
    mac: Mac | None = None
    routes: tuple[Route, ...] = ()
    neighbors: tuple[Neighbor, ...] = ()
