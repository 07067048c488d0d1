"""macvlan and macvtap (drivers/net/macvlan.c, drivers/net/tap.c).

Three paths, as in the kernel:

* TX (``MacvlanDev.xmit`` = macvlan_queue_xmit): only BRIDGE mode switches
  locally (a broadcast copy to each other BRIDGE child, a unicast to a BRIDGE
  sibling re-injected on the lower's RX path); everything else goes to the
  wire through the lower. The lower's own MAC is never local.
* RX (``MacvlanPort.handle_frame`` = macvlan_handle_frame, the lower's
  rx_handler): unicast is steered by destination MAC whatever the target's
  mode; a broadcast whose source is a PRIVATE/PASSTHRU/SOURCE child goes back
  to that child only; other broadcasts are queued for the deferred path.
* The deferred broadcast path (``MacvlanPort.broadcast`` =
  macvlan_process_broadcast) picks recipients with one mode mask: see ``_MASK``.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from ...model.kinds import Macvlan, Macvtap
from ..frame import ARP_REQUEST, BROADCAST, HOST, PBROADCAST, PMULTICAST, Arp, Frame, is_multicast
from ..world import CONSUMED, PASS, Device, eth_type_trans

if TYPE_CHECKING:
    from ...resolve import Iface, Resolved
    from ._common import BuildContext

KINDS = ("macvlan", "macvtap")

PRIVATE, VEPA, BRIDGE, PASSTHRU, SOURCE = 1, 2, 4, 8, 16
MODES = {"private": PRIVATE, "vepa": VEPA, "bridge": BRIDGE, "passthru": PASSTHRU, "source": SOURCE}
MODE_NAMES = {v: k for k, v in MODES.items()}

#: macvlan_multicast_rx: who receives a broadcast, by the mode of the child that sent it
#: (None: an external sender, including the parent itself)
_MASK = {None: PRIVATE | VEPA | PASSTHRU | BRIDGE, VEPA: VEPA | BRIDGE, BRIDGE: VEPA}


_U64 = (1 << 64) - 1


def hash_bucket(mac: str) -> int:
    """macvlan_eth_hash on a little-endian machine: hash_64(the MAC's six bytes read
    as a little-endian u64, shifted left 16; MACVLAN_HASH_BITS = 8)."""
    v = (int.from_bytes(bytes.fromhex(mac.replace(":", "")), "little") << 16) & _U64
    return ((v * 0x61C8864680B583EB) & _U64) >> 56  # GOLDEN_RATIO_64


class MacvlanPort:
    """The macvlan_port on a lower device: its children and its rx_handler."""

    def __init__(self, lower: Device):
        self.lower = lower
        self.world = lower.world
        self.children: list[MacvlanDev] = []
        self.source_children: list[MacvlanDev] = []
        lower.register_rx_handler(self.handle_frame, "macvlan")
        lower.macvlan_port = self
        self._hash: dict[str, MacvlanDev] | None = None
        self.passthru = False
        self.order: dict[MacvlanDev, int] = {}
        self.in_hash_order: list[MacvlanDev] = []
        self.other: list[MacvlanDev] = []
        self.by_ip: dict[int, list[MacvlanDev]] = {}

    def freeze(self) -> None:
        """Precompute what the hot paths read: the mode mix and, for ARP
        requests, which children can care (see ``candidates``)."""
        self.passthru = any(c.mode == PASSTHRU for c in self.children)
        # hash_for_each_rcu(port->vlan_hash): bucket by bucket; within one, newest first
        # (macvlan_hash_add is hlist_add_head at open, and children open in lab order)
        idx = {c: i for i, c in enumerate(self.children)}
        self.in_hash_order = sorted(self.children, key=lambda c: (hash_bucket(c.mac), -idx[c]))
        self.order = {c: i for i, c in enumerate(self.in_hash_order)}
        self.other = []
        self.by_ip = {}
        for c in self.children:
            if c.rx_handler is None and not c.vlans and c.stack is not None:
                for ip in c.stack.local:  # weak host: any interface answers for any local address
                    self.by_ip.setdefault(ip, []).append(c)
            else:
                self.other.append(c)

    def candidates(self, frame: Frame) -> list[MacvlanDev]:
        """Children for whom a broadcast copy can change anything.

        For an ARP request: the children whose stack owns the target address (any
        of them may answer, weak host), children resolving the sender, and
        children that are not plain (a macvtap with a reader, a VLAN parent).
        Everywhere else the copy is inert (see BridgeDev._receivers for why
        skipping inert copies gives exactly the full path's result). Everything
        else, and everything while tracing or capturing, goes to every child.
        """
        a = frame.payload
        if self.world.observed or not isinstance(a, Arp) or a.op != ARP_REQUEST:
            return self.in_hash_order
        out = set(self.other)
        out.update(self.by_ip.get(a.tpa, ()))
        for dev in self.world.waiting.get(a.spa, ()):
            if dev in self.order:
                out.add(dev)
        return sorted(out, key=self.order.__getitem__)

    def add(self, child: MacvlanDev) -> None:
        self.children.append(child)
        if child.mode == SOURCE:
            self.source_children.append(child)
        self._hash = None

    @property
    def hash(self) -> dict[str, MacvlanDev]:
        """vlan_hash: children by MAC, only while they are up (macvlan_open/stop)."""
        if self._hash is None:
            h: dict[str, MacvlanDev] = {}
            for c in self.children:
                if c.up:
                    h.setdefault(c.mac, c)
            self._hash = h
        return self._hash

    def _forward_source(self, frame: Frame, pkt_type: int) -> None:
        """macvlan_forward_source: copies to SOURCE children that list the sender."""
        for c in self.source_children:
            if c.up and frame.src in c.source_macs:
                pt = HOST if frame.dst == c.mac else pkt_type
                if self.world.tracing:
                    self.world.hop(c, "fwd", "source", frame, why=f"source mode: {frame.src} is on {c.label}'s list")
                self.world.netif_rx(c, frame, pt)

    def handle_frame(self, dev: Device, frame: Frame, pkt_type: int) -> object:
        w = self.world
        if is_multicast(frame.dst):
            if self.source_children:
                self._forward_source(frame, pkt_type)
            src = self.hash.get(frame.src)
            if src is not None and src.mode not in (VEPA, BRIDGE):
                if w.tracing:
                    w.hop(
                        self.lower,
                        "fwd",
                        "return",
                        frame,
                        why=f"the broadcast came back from {MODE_NAMES[src.mode]} child {src.label}: delivered only to it and consumed; the parent and siblings never see it",
                        rule="macvlan-return-to-sender",
                        func="macvlan_handle_frame",
                    )
                w.dev_forward(src, frame)
                return CONSUMED
            w.queue_work(self.broadcast, frame, src)  # macvlan_broadcast_enqueue
            return PASS
        if self.source_children:
            self._forward_source(frame, pkt_type)
        if self.passthru:
            target: MacvlanDev | None = self.children[0]
        else:
            target = self.hash.get(frame.dst)
        if target is None or target.mode == SOURCE:
            if target is None and w.tracing:
                self._foreign_guest_mac(frame)
            return PASS
        if not target.up:
            w.drop(target, frame, "macvlan-down", "macvlan_handle_frame", f"{target.label} is down")
            return CONSUMED
        if self.passthru and frame.dst != target.mac and w.tracing:
            w.hop(
                self.lower,
                "fwd",
                "steer",
                frame,
                why=f"passthru: {target.label} takes every unicast arriving on {self.lower.label}",
            )
        return (target, frame, HOST)

    def _foreign_guest_mac(self, frame: Frame) -> None:
        """The classic macvtap mistake: a VM configured with a MAC of its own.
        Frames for it miss every child and go to the parent, which drops them."""
        for c in self.children:
            g = c.guest_nic
            if g is not None and g.mac == frame.dst and g.mac != c.mac:
                self.world.hop(
                    self.lower,
                    "fwd",
                    "miss",
                    frame,
                    why=f"no child of {self.lower.label} has MAC {frame.dst}: guest {g.label.split('/')[0]} on "
                    f"{c.label} uses its own MAC, but a macvtap only takes frames for the macvtap's MAC {c.mac} "
                    "(give the guest that MAC)",
                    rule="macvtap-guest-mac",
                    func="macvlan_handle_frame",
                )

    def broadcast(self, frame: Frame, src: MacvlanDev | None) -> None:
        """macvlan_process_broadcast: the deferred copies to children, by mode mask."""
        w = self.world
        mask = _MASK.get(src.mode if src is not None else None, 0)
        pt = PBROADCAST if frame.dst == BROADCAST else PMULTICAST
        # A work item (World.queue_work): it runs once the softirq is done, and calls
        # netif_rx from process context: each copy's local_bh_enable runs the backlog to
        # empty, so everything a copy causes (an ARP reply, the echo it lets through, the
        # ARP that echo's reply needs) happens before the next child gets its copy
        # [V: docs/kernel-semantics.md §2.4]. Broadcasts queued meanwhile wait for the next
        # work item: this one took its list at the start (skb_queue_splice_tail_init).
        for c in self.candidates(frame):
            if c is src or not c.up:
                continue
            if not c.mode & mask:
                if w.tracing:
                    who = f"{MODE_NAMES[src.mode]} child {src.label}" if src else "outside"
                    rule = {PRIVATE: "macvlan-private-broadcast", SOURCE: "macvlan-source-no-broadcast"}.get(
                        c.mode, "macvlan-mode-mask"
                    )
                    w.drop(
                        c,
                        frame,
                        rule,
                        "macvlan_process_broadcast",
                        f"{MODE_NAMES[c.mode]} mode: a broadcast from {who} is not delivered to {c.label}",
                    )
                continue
            w.netif_rx(c, frame, pt)
            w.softirq()


class MacvlanDev(Device):
    kind = "macvlan"

    def __init__(self, *a: Any, port: MacvlanPort, mode: str, source_macs: tuple[str, ...] = (), **kw: Any):
        super().__init__(*a, **kw)
        self.port = port
        self.mode = MODES[mode]
        self.source_macs = frozenset(source_macs)
        port.add(self)

    def carrier(self) -> bool:
        lower = self.port.lower
        return lower.up and lower.carrier()  # netif_stacked_transfer_operstate

    def xmit(self, frame: Frame) -> None:
        w = self.world
        port = self.port
        if self.mode == BRIDGE:
            if is_multicast(frame.dst):
                for c in port.candidates(frame):  # macvlan_broadcast(..., MACVLAN_MODE_BRIDGE): synchronous copies
                    if c is not self and c.mode == BRIDGE and c.up:
                        if w.tracing:
                            w.hop(self, "fwd", "bridge", frame, why=f"bridge mode: a copy to bridge sibling {c.label}")
                        w.dev_forward(c, frame, "macvlan_broadcast")
            else:
                dest = port.hash.get(frame.dst)
                if dest is not None and dest.mode == BRIDGE:
                    if w.tracing:
                        w.hop(
                            self,
                            "fwd",
                            "bridge",
                            frame,
                            why=f"bridge mode: switched locally to bridge sibling {dest.label}, never on the wire",
                        )
                    w.dev_forward(port.lower, frame, "macvlan_queue_xmit")
                    return
        if w.tracing:
            if self.mode != BRIDGE:
                w.hop(
                    self,
                    "fwd",
                    "wire",
                    frame,
                    why=f"{MODE_NAMES[self.mode]} mode: nothing is switched locally; out through {port.lower.label} to the wire, siblings and the parent see it only if the switch reflects it",
                )
            elif not is_multicast(frame.dst):
                w.hop(
                    self,
                    "fwd",
                    "wire",
                    frame,
                    why=f"bridge mode: {frame.dst} is not a bridge-mode sibling (the parent's own MAC never is); out through {port.lower.label} to the wire",
                )
        w.dev_queue_xmit(port.lower, frame)


class MacvtapDev(MacvlanDev):
    """A macvlan whose own rx_handler (tap_handle_frame) hands every frame to the fd, if one is open."""

    kind = "macvtap"

    def __init__(self, *a: Any, **kw: Any):
        super().__init__(*a, **kw)
        self.guest_nic = None
        self.register_rx_handler(self.tap_handle_frame, "macvtap")

    def tap_handle_frame(self, dev: Device, frame: Frame, pkt_type: int) -> object:
        g = self.guest_nic
        if g is None:
            return PASS  # no fd open: behaves exactly like a macvlan
        self.world.netif_rx(g, frame, eth_type_trans(g, frame))
        return CONSUMED


def build(b: BuildContext, iface: Iface) -> Device:
    spec = iface.spec
    assert isinstance(spec, Macvlan | Macvtap)
    lower = b.device_of(b.r.parent[iface.key])
    port = lower.macvlan_port or MacvlanPort(lower)
    cls = MacvtapDev if spec.kind == "macvtap" else MacvlanDev
    return b.plain(cls, iface, port=port, mode=spec.mode, source_macs=spec.source_macs)


def v6_problem(r: Resolved, node: str, ifname: str) -> str | None:
    """What the simulator does not model of IPv6 on this macvlan/macvtap (None: it does).

    Measured (docs/kernel-semantics.md §11.13): private, VEPA, bridge and source children with
    and without a reflecting switch, a passthru child without one. A passthru child shares
    its lower's MAC, so its link-local is the lower's: behind a reflecting (hairpin) port the
    lower's DAD solicitation comes back, is steered to the child by its source MAC
    (macvlan_handle_frame) and fails the child's DAD when both run together (as at ``up``),
    and not when the lower's is over first (21_macvlan6.sh (2), (2b)): a race, refused.
    """
    spec = r.ifaces[(node, ifname)].spec
    assert isinstance(spec, Macvlan | Macvtap)
    if spec.mode != "passthru":
        return None
    if spec.nopromisc:
        return f"IPv6 on a passthru {spec.kind} with nopromisc is not simulated yet ({node}/{ifname})"
    if _has_hairpin(r):
        return (
            f"IPv6 on a passthru {spec.kind} in a lab with a hairpin port is not simulated ({node}/{ifname}: "
            "the reflected DAD solicitation of its lower, which has the same link-local address, fails the "
            "child's DAD or not depending on timing)"
        )
    return None


def _has_hairpin(r: Resolved) -> bool:
    """Whether a switch or a bridge port of the lab reflects frames (hairpin)."""
    return any(sw.hairpin for sw in r.lab.switches.values()) or any(
        i.spec.port is not None and i.spec.port.hairpin for i in r.ifaces.values()
    )


def guest6_problem(r: Resolved, guest: str) -> str | None:
    """What the simulator does not model of IPv6 for this guest on a macvtap (None: it does).

    Measured (docs/kernel-semantics.md §11.20, 31_macvtap_guest6.sh): the guest and the macvtap
    netdev share a MAC, so a link-local address. Multicast reaches the guest through the
    macvtap's own filter (``macvlan_broadcast``: ``mc_hash`` of the group in ``vlan->mc_filter``),
    made of the groups the *netdev's* stack joined, never the guest's: an NS for a guest
    address whose solicited-node group the netdev did not join gets through only on a
    collision of a hash salted with the device's address (``macvlan_hash_mix``), not
    reproducible: refused. The simulator hands the guest every multicast the mode lets
    through and the guest's own group check decides, which is exact when the netdev joined
    every group the guest joined. Behind a hairpin port a private (or passthru) macvtap
    gets its own reflected multicast back, the netdev's DAD solicitation of the shared
    link-local too, which reaches the guest or not by whether its descriptor was open yet
    (a race at ``up``): refused.
    """
    from ..ipv6 import eui64, solicited_node

    g = r.guests[guest]
    node, ifname = g.device
    iface = r.ifaces[g.device]
    spec = iface.spec
    assert isinstance(spec, Macvtap)
    v6 = [a for a in g.guest.addresses if ":" in a]
    if g.mac != iface.mac:
        return (
            f"IPv6 for guest {guest} with a MAC other than its macvtap's ({node}/{ifname} {iface.mac}) "
            "is not simulated (not measured)"
        )
    if spec.mode in ("private", "passthru", "source") and _has_hairpin(r):
        return (
            f"IPv6 for guest {guest} on a {spec.mode} macvtap in a lab with a hairpin port is not simulated "
            f"({node}/{ifname}: the netdev's own DAD solicitation of the link-local it shares with the guest "
            "comes back and reaches the guest or not by whether its descriptor is open yet)"
        )
    joined = {solicited_node(eui64(iface.mac))}
    joined |= {solicited_node(int(ipaddress.IPv6Interface(a).ip)) for a in spec.addresses if ":" in a}
    for a in v6:
        ip = int(ipaddress.IPv6Interface(a).ip)
        if solicited_node(ip) not in joined:
            return (
                f"IPv6 address {a} of guest {guest} on macvtap {node}/{ifname} is not simulated: its solicited-node "
                "group is not in the macvtap's multicast filter (the netdev's groups, not the guest's), so a "
                "solicitation for it reaches the guest only on a collision of a salted hash; give the guest an "
                f"address with the low 24 bits of the macvtap's link-local (EUI-64 of {g.mac}) or of one of the "
                "macvtap's own addresses"
            )
    return None
