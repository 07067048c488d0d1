"""The simulator half of every device kind: kind name → builder.

Keys equal the model's ``KINDS`` (a parity test holds them equal).
"""

from __future__ import annotations

from collections.abc import Callable

from ..world import Device
from . import bridge, ipvlan, macvlan, nic, tuntap, veth, vlan, vxlan

SIM_KINDS: dict[str, Callable[[object, object], Device]] = {
    "nic": nic.build,
    "veth": veth.build,
    "bridge": bridge.build,
    "tap": tuntap.build_tap,
    "tun": tuntap.build_tap,
    "macvlan": macvlan.build,
    "macvtap": macvlan.build,
    "ipvlan": ipvlan.build,
    "vlan": vlan.build,
    "vxlan": vxlan.build,
}
