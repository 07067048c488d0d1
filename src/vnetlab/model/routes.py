"""Routes and static neighbour entries, as `ip route` / `ip neigh` take them."""

from .base import Frozen
from .values import IP, IfName, Mac, Metric, RouteDst


class Route(Frozen):
    to: RouteDst
    via: IP | None = None
    dev: IfName | None = None
    metric: Metric | None = None


class Neighbor(Frozen):
    address: IP
    lladdr: Mac
    dev: IfName | None = None
