"""The kernel half of every device kind: kind name → adapter module.

Each adapter turns a ``link`` step into one rtnetlink request (pyroute2
``link("add", …)`` arguments) and names the kernel option the kind needs.
Keys equal the model's ``KINDS`` (a parity test holds them equal).
"""

from __future__ import annotations

from types import ModuleType

from . import bridge, ipvlan, macvlan, tuntap, veth, vlan, vxlan

KERNEL_KINDS: dict[str, ModuleType] = {
    "nic": veth,
    "veth": veth,
    "bridge": bridge,
    "tap": tuntap,
    "tun": tuntap,
    "macvlan": macvlan,
    "macvtap": macvlan,
    "ipvlan": ipvlan,
    "vlan": vlan,
    "vxlan": vxlan,
}

#: the kernel option each kind needs, for "this kernel has no X support (CONFIG_…)"
CONFIG = {
    "nic": "CONFIG_VETH",
    "veth": "CONFIG_VETH",
    "bridge": "CONFIG_BRIDGE",
    "tap": "CONFIG_TUN",
    "tun": "CONFIG_TUN",
    "macvlan": "CONFIG_MACVLAN",
    "macvtap": "CONFIG_MACVTAP",
    "ipvlan": "CONFIG_IPVLAN",
    "vlan": "CONFIG_VLAN_8021Q",
    "vxlan": "CONFIG_VXLAN",
    "vlan_filtering": "CONFIG_BRIDGE_VLAN_FILTERING",
}
