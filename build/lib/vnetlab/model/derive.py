"""Deterministic derived values: default MACs and kernel object names.

Both backends must use the same MACs for the same lab, so a default MAC is a
hash of (lab, owner, ifname), made locally administered unicast (the second
bit of the first octet set, the first cleared), as `ip link` would for a
random one. Names the backend makes itself must fit the kernel's 15-byte
limit for every legal lab.
"""

from __future__ import annotations

import hashlib


def derived_mac(lab: str, owner: str, ifname: str) -> str:
    digest = hashlib.sha256(f"{lab}/{owner}/{ifname}".encode()).digest()
    octets = bytearray(digest[:6])
    octets[0] = (octets[0] & 0xFC) | 0x02
    return ":".join(f"{b:02x}" for b in octets)


def netns_name(lab: str, node: str) -> str:
    """The named namespace of a node or switch: ``<lab>-<node>``."""
    return f"{lab}-{node}"


def switch_bridge_name() -> str:
    """The bridge inside a switch's namespace."""
    return "sw"


def switch_port_name(index: int) -> str:
    """The switch-side end of the ``index``-th nic cabled to a switch (≤ 6 bytes)."""
    return f"p{index}"
