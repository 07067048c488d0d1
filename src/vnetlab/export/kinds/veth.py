"""veth: both ends in one `ip link add … type veth peer …`, the peer made in its namespace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import link_spec, mac_mtu, mode_label, word

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("veth",)
BUILT_IN_PARENT_NS = False
NETWORK_KEYS: dict[str, str] = {}
dot_label = mode_label


def ip_link(r: Resolved, s: Step) -> list[str]:
    a = link_spec(s)
    mac, mtu = mac_mtu(s)
    pmtu = f" mtu {a.peer_mtu}" if a.peer_mtu else ""
    peer_ns = word(r.netns(a.peer_ns or s.ns))
    return [
        f"link add name {word(s.obj)}{mac}{mtu} type veth peer name {word(a.peer)} address {a.peer_mac}{pmtu} netns {peer_ns}"
    ]


def netdev(r: Resolved, i: Iface) -> list[str]:
    peer = r.ifaces[r.peer[i.key]]
    return ["", "[Peer]", f"Name={peer.name}", f"MACAddress={peer.mac}"]


def netdev_owned(r: Resolved, i: Iface) -> bool:
    """One end's files create the pair: the declared end's where the other is implicit, else
    the lower key's; each end's where the peer is in another node."""
    pk = r.peer[i.key]
    return not i.implicit and (r.ifaces[pk].implicit or i.key < pk or pk[0] != i.node)
