"""Fields every interface kind has, and bridge-port options.

A frozen pydantic model with ``extra="forbid"``: a typo in a lab must fail
loudly, never be ignored.
"""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from .stepspec import KindFields
from .values import Bool, Cidr, IfName, Mac, Mtu, Vid, VidRange


class Frozen(BaseModel):
    """Base of every model class: immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class PortOptions(Frozen):
    """Bridge-port flags; defaults are those `ip link set X master br0` gives."""

    hairpin: Bool = False
    learning: Bool = True
    flood: Bool = True
    pvid: Vid | None = None
    untagged: Bool = True
    vlans: tuple[VidRange, ...] = ()


class InterfaceBase(Frozen):
    """Fields shared by all kinds. ``mac`` None means: derived (see derive.py)."""

    mac: Mac | None = None
    mtu: Mtu | None = None
    addresses: tuple[Cidr, ...] = ()
    up: Bool = True
    master: IfName | None = None
    port: PortOptions | None = None

    #: the device claims an rx_handler of its own (macvtap: tap_handle_frame),
    #: so it can be neither a parent of macvlans nor a bridge port
    HOLDS_OWN_RX_HANDLER: ClassVar[bool] = False
    #: the kernel refuses stacked devices on it (ipvlan slaves: IFF_NO_RX_HANDLER)
    NO_RX_HANDLER: ClassVar[bool] = False
    #: an L2 (Ethernet) device; tun is not, so macvlan/vlan/bridge refuse it
    ETHERNET: ClassVar[bool] = True
    #: the kernel's max_mtu for the kind (ETH_MAX_MTU unless the driver lowers it)
    MAX_MTU: ClassVar[int] = 65535
    #: stacks on a ``parent`` (created there, then moved into its node)
    CHILD: ClassVar[bool] = False

    def link_fields(self) -> KindFields:
        """The kind's own attributes of its ``link`` step (after kind, mac, mtu, parent)."""
        return KindFields()

    def local_deps(self) -> tuple[str, ...]:
        """Devices of its own node that must exist before it (besides a parent)."""
        return ()
