"""The event engine and the receive/transmit core shared by every kind.

Mirrors net/core/dev.c: ``netif_receive`` is ``__netif_receive_skb_core``
(VLAN demux before the rx_handler, one rx_handler per device, protocol
delivery last), ``dev_queue_xmit`` drops on a device that is down or has
no carrier (the noop qdisc), and ``dev_forward`` is ``__dev_forward_skb``
(drop if the target is down, recompute pkt_type against the target).

Deterministic: two FIFO queues, no clock, no threads, no randomness. Work
that the kernel defers is queued; everything else runs inline, as in the
kernel. The backlog (``queue``: netif_rx, softirq work) always runs to empty
first; the workqueue (``work``: process-context work items, such as the
macvlan broadcast) runs one item at a time, each only once the backlog is
empty, and a work item may run the backlog to empty itself (``softirq``), as
a netif_rx from process context does in local_bh_enable.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .frame import _ODD, BROADCAST, HOST, OTHERHOST, PBROADCAST, PMULTICAST, Frame, IPv4, is_multicast
from .trace import Hop

if TYPE_CHECKING:
    from .kinds.bridge import BridgeDev
    from .kinds.ipvlan import IpvlanPort
    from .kinds.macvlan import MacvlanPort
    from .stack import Stack


@dataclass
class FdbSnapshot:
    """The forwarding databases of a world's devices, by device label, as plain data."""

    #: a bridge's entries: (MAC, VLAN) → (the port's device label, None for the bridge itself; local)
    bridges: dict[str, dict[tuple[str, int], tuple[str | None, bool]]] = field(default_factory=dict)
    #: a VXLAN device's entries: inner MAC → remote IPv4 (as an int)
    vxlans: dict[str, dict[str, int]] = field(default_factory=dict)


CONSUMED = 0
PASS = 1
# rx_handler results other than these are (device, frame, pkt_type): RX_HANDLER_ANOTHER


def eth_type_trans(dev: Device, frame: Frame) -> int:
    """pkt_type of a frame as received on ``dev`` (net/ethernet/eth.c)."""
    d = frame.dst
    if d == BROADCAST:
        return PBROADCAST
    if is_multicast(d):
        return PMULTICAST
    return HOST if d == dev.mac else OTHERHOST


class Device:
    """A network device: admin state, carrier, MAC, an optional rx_handler."""

    kind = "device"
    noarp = False
    #: dev->dev_id: 0, or an ipvlan slave's per-master number (its link-local: ``ipv6.eui64``)
    dev_id = 0
    #: optional parts, set by the kinds that stack on or attach to a device
    macvlan_port: MacvlanPort | None = None  # its macvlan/macvtap children (it is their lower device)
    ipvlan_port: IpvlanPort | None = None  # its ipvlan children (it is their master)
    guest_nic: Device | None = None  # the guest's NIC behind a tap, tun or macvtap

    def __init__(self, world: World, ns: str, name: str, mac: str, up: bool = True, mtu: int = 1500):
        self.world = world
        self.ns = ns
        self.name = name
        self.mac = mac
        self.admin_up = up
        self.up = up
        self.oper = up
        self.mtu = mtu
        self.rx_handler: Callable[[Device, Frame, int], Any] | None = None
        self.rx_handler_owner: str | None = None
        self.vlans: dict[tuple[int, int], Device] = {}
        self.stack: Stack | None = None
        #: the peer a plain veth hands its frames to (set by World.freeze; None: ``xmit`` decides)
        self.fast_peer: Device | None = None
        #: netif_receive on this device of an untagged frame while nothing is observed: the
        #: generic one, or a specialisation of it for this device (set by World.freeze)
        self.fast_rx: Callable[[Device, Frame, int], None] = world.netif_receive
        #: the bridge whose ``port_rx`` is ``fast_rx``; ``fast_host``: ``fast_rx`` is World._host_rx
        #: (set by World.freeze, read by Stack.echo_on_bridge)
        self.fast_bridge: BridgeDev | None = None
        self.fast_host = False
        self.label = f"{ns}/{name}"
        world.add_device(self)

    # state ---------------------------------------------------------------
    # ``up`` is an attribute: the lab fixes admin states before the first frame.
    # ``oper`` (up and carrier) is computed once by World.freeze for the hot path.

    def carrier(self) -> bool:
        return True

    def operational(self) -> bool:
        return self.up and self.carrier()

    def freeze(self) -> None:
        """Precompute what the hot path reads; called once all devices exist."""

    def register_rx_handler(self, fn: Callable[[Device, Frame, int], Any], owner: str) -> None:
        if self.rx_handler is not None:  # the checker refuses such labs; keep the kernel's rule anyway
            raise RuntimeError(f"{self.label}: rx_handler already held by {self.rx_handler_owner} (EBUSY)")
        self.rx_handler = fn
        self.rx_handler_owner = owner

    # transmit --------------------------------------------------------------
    def xmit(self, frame: Frame) -> None:
        """ndo_start_xmit: what the driver does with a frame handed to it."""
        self.world.drop(self, frame, "no-driver", "ndo_start_xmit", "this device has nowhere to send frames")

    def __repr__(self) -> str:
        return f"<{self.kind} {self.label}>"


class World:
    """Devices, namespaces' stacks, the event queue and the trace."""

    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.stacks: dict[str, Stack] = {}
        #: the backlog: softirq work, run to empty before any work item
        self.queue: deque[tuple[Callable[..., None], tuple[Any, ...]]] = deque()
        #: the workqueue: process-context work items, in the order they were queued
        self.work: deque[tuple[Callable[..., None], tuple[Any, ...]]] = deque()
        #: the loop guard: events one run may process (100 × devices², derived as devices
        #: are added: see add_device), and how many the current run has left
        self._limit = self._budget = 1_000_000
        self.tracing = False
        self.hops: list[Hop] = []
        #: device label → list of frames seen there (rx and tx), when capturing
        self.captures: dict[str, list[Frame]] = {}
        self.frames = 0
        #: IPv4 address → devices whose stack is resolving it (an INCOMPLETE neighbour):
        #: the only listeners, besides its owner, for whom an ARP from that address matters
        self.waiting: dict[int, list[Device]] = {}
        #: stacks that hold dynamic neighbour entries or pending packets
        self.dirty: set[Stack] = set()
        #: most rx_handler passes one packet's copies may make together (set by freeze)
        self.loop_bound = 64
        #: devices where a packet was stopped as looping, in this run
        self.loops: list[str] = []
        #: bound once: the hot path queues it for every frame
        self._rx = self.netif_receive

    def add_device(self, dev: Device) -> None:
        """Register a device (Device.__init__ does) and derive the loop guard from the count."""
        self.devices[dev.label] = dev
        self._limit = max(1_000_000, 100 * len(self.devices) ** 2)

    @property
    def observed(self) -> bool:
        """Tracing or capturing: every copy of every frame must then really be made."""
        return self.tracing or bool(self.captures)

    # trace -----------------------------------------------------------------
    def hop(
        self,
        dev: Device | str,
        direction: str,
        verdict: str,
        frame: Frame | str,
        why: str | None = None,
        rule: str | None = None,
        func: str | None = None,
    ) -> None:
        if self.tracing:
            label = dev if isinstance(dev, str) else dev.label
            desc = frame if isinstance(frame, str) else frame.describe()
            self.hops.append(Hop(len(self.hops) + 1, label, direction, verdict, desc, rule, func, why))

    def drop(self, dev: Device | str, frame: Frame | str, rule: str, func: str, why: str) -> None:
        if self.tracing:
            label = dev if isinstance(dev, str) else dev.label
            desc = frame if isinstance(frame, str) else frame.describe()
            self.hops.append(Hop(len(self.hops) + 1, label, "drop", "drop", desc, rule, func, why))

    def _capture(self, dev: Device, frame: Frame) -> None:
        cap = self.captures.get(dev.label)
        if cap is not None:
            cap.append(frame)

    def freeze(self) -> None:
        """Compute every device's operational state (admin up and carrier) once.

        Admin states and guests are fixed by the lab, so carrier cannot change
        while frames move; the transmit path then reads one attribute."""
        from .kinds.bridge import BridgeDev
        from .kinds.veth import VethDev

        for d in self.devices.values():
            d.oper = d.up and d.carrier()
        for d in self.devices.values():
            d.freeze()
            # dev_queue_xmit does VethDev.xmit itself for a veth with a peer (one call less a frame)
            d.fast_peer = d.peer if isinstance(d, VethDev) and type(d).xmit is VethDev.xmit else None
            port = getattr(d, "macvlan_port", None)
            if port is not None:
                port.freeze()
            # the receive path of an untagged, unobserved frame, decided once per device:
            # a plain device with a stack goes straight to it, a port of a bridge without
            # VLAN filtering straight to br_handle_frame (no VLAN devices on either)
            d.fast_rx = self._rx
            d.fast_bridge, d.fast_host = None, False
            h = d.rx_handler
            if d.vlans:
                pass
            elif h is None:
                if d.stack is not None:
                    d.fast_rx = self._host_rx
                    d.fast_host = True
            else:
                br = getattr(h, "__self__", None)
                if (
                    isinstance(br, BridgeDev)
                    and getattr(h, "__func__", None) is BridgeDev.handle_frame
                    and not br.filtering
                    and getattr(d, "bridge_port", None) is not None
                ):
                    d.fast_rx = br.port_rx
                    d.fast_bridge = br
        # Without a loop, the copies of one packet pass each forwarding device
        # (one with an rx_handler: a bridge port, a macvlan/ipvlan lower, a
        # macvtap) a bounded number of times: once per path in a tree, plus a
        # hairpin's reflection. See netif_receive.
        self.loop_bound = 4 * sum(1 for d in self.devices.values() if d.rx_handler is not None) + 64

    # state that outlives a matrix row ---------------------------------------
    def fdb_snapshot(self) -> FdbSnapshot:
        """What the devices learned (bridge and VXLAN FDBs), by device label: the only
        state a matrix row leaves to the next besides what ``flush`` clears."""
        from .kinds.bridge import BridgeDev
        from .kinds.vxlan import VxlanDev

        out = FdbSnapshot()
        for label, d in self.devices.items():
            if isinstance(d, BridgeDev):
                out.bridges[label] = {k: (e.port.dev.label if e.port else None, e.local) for k, e in d.fdb.items()}
            elif isinstance(d, VxlanDev):
                out.vxlans[label] = dict(d.fdb)
        return out

    def fdb_restore(self, snap: FdbSnapshot) -> None:
        """Put a snapshot (of this or an identically built world) back."""
        from .kinds.bridge import BridgeDev, Entry
        from .kinds.vxlan import VxlanDev

        for label, bfdb in snap.bridges.items():
            br = self.devices[label]
            assert isinstance(br, BridgeDev)
            ports = {p.dev.label: p for p in br.ports}
            br.fdb = {k: Entry(ports[pl] if pl is not None else None, loc) for k, (pl, loc) in bfdb.items()}
        for label, vfdb in snap.vxlans.items():
            vx = self.devices[label]
            assert isinstance(vx, VxlanDev)
            vx.fdb = dict(vfdb)

    # engine ----------------------------------------------------------------
    def defer(self, fn: Callable[..., None], *args: Any) -> None:
        """Queue softirq work on the backlog."""
        self.queue.append((fn, args))

    def queue_work(self, fn: Callable[..., None], *args: Any) -> None:
        """schedule_work: queue a process-context work item. It runs once the
        backlog is empty, after the items queued before it."""
        self.work.append((fn, args))

    def run(self) -> None:
        """Process events until both queues are empty: the backlog to empty, then
        the oldest work item, and again.

        Forwarding loops are stopped per packet in netif_receive; the total is
        then finite (every packet's copies are bounded, and only ARP and echo
        requests beget new packets, one answer each, besides routing, which
        TTL bounds). The guard in ``softirq`` is a last resort that cannot trip
        without a loop: a loop-free probe costs O(targets × devices) events."""
        if self.loops:
            self.loops = []
        self._budget = self._limit
        work = self.work
        self.softirq()
        while work:
            fn, args = work.popleft()
            fn(*args)
            self.softirq()

    def softirq(self) -> None:
        """Run the backlog to empty (net_rx_action; a work item calls it after each
        netif_rx, as local_bh_enable does). Work items queued meanwhile wait.
        Backlog events never call it: it does not nest."""
        q = self.queue
        if not q:
            return
        n = self._budget
        if n < 0:  # the guard stopped this run: what a work item still queues is dropped
            q.clear()
            return
        pop = q.popleft
        while q:
            fn, args = pop()
            fn(*args)
            n -= 1
            if n < 0:
                q.clear()
                self.work.clear()
                self.loops.append("world")
                self.drop(
                    "world", "-", "loop-limit", "-", f"more than {self._limit} events: a forwarding loop; stopped"
                )
                break
        self._budget = n

    # core paths --------------------------------------------------------------
    def netif_rx(self, dev: Device, frame: Frame, pkt_type: int) -> None:
        """Queue a frame for receive processing on ``dev`` (the backlog)."""
        self.queue.append((self.netif_receive, (dev, frame, pkt_type)))

    def dev_forward(self, dev: Device, frame: Frame, func: str = "dev_forward_skb") -> None:
        """__dev_forward_skb: inject as if received on ``dev``."""
        if not dev.up:
            self.drop(dev, frame, "target-down", func, f"{dev.label} is not up, so it cannot receive")
            return
        d = frame.dst  # eth_type_trans, inlined: this is the hottest path
        if d == dev.mac:
            pt = HOST
        elif d[1] in _ODD:
            pt = PBROADCAST if d == BROADCAST else PMULTICAST
        else:
            pt = OTHERHOST
        self.queue.append((self.netif_receive, (dev, frame, pt)))

    def dev_queue_xmit(self, dev: Device, frame: Frame) -> None:
        """Hand a frame to ``dev``'s driver, through the qdisc."""
        if not dev.oper:
            if not dev.up:
                self.drop(dev, frame, "tx-down", "dev_queue_xmit", f"{dev.label} is administratively down")
            else:
                self.drop(
                    dev,
                    frame,
                    "no-carrier",
                    "dev_deactivate",
                    f"{dev.label} has no carrier, so its qdisc is noop and drops everything",
                )
            return
        self.frames += 1
        if self.tracing or self.captures:
            if self.captures:
                self._capture(dev, frame)
            if self.tracing:
                self.hop(dev, "tx", "ok", frame)
        peer = dev.fast_peer
        if peer is not None and peer.up:
            # VethDev.xmit and dev_forward, inlined (the same queue entry): the peer
            # receives the frame, pkt_type recomputed against its MAC (eth_type_trans)
            d = frame.dst
            if d == peer.mac:
                pt = HOST
            elif d[1] in _ODD:
                pt = PBROADCAST if d == BROADCAST else PMULTICAST
            else:
                pt = OTHERHOST
            if self.tracing or self.captures or frame.tags:
                self.queue.append((self._rx, (peer, frame, pt)))
            else:
                self.queue.append((peer.fast_rx, (peer, frame, pt)))
            return
        dev.xmit(frame)

    def netif_receive(self, dev: Device, frame: Frame, pkt_type: int) -> None:
        """__netif_receive_skb_core: VLAN demux, rx_handler, then protocols."""
        self.frames += 1
        if self.tracing or self.captures or frame.tags:
            self._receive_rounds(dev, frame, pkt_type, 16)
            return
        # the common first round (not observed, untagged) of _receive_rounds, inlined
        h = dev.rx_handler
        if h is not None:
            p = frame.payload
            if p.hops >= self.loop_bound:
                self._receive_rounds(dev, frame, pkt_type, 16)
                return
            p.hops += 1
            r = h(dev, frame, pkt_type)
            if r == CONSUMED:
                return
            if r != PASS:
                dev, frame, pkt_type = r
                self._receive_rounds(dev, frame, pkt_type, 15)
                return
        stack = dev.stack
        if stack is None:
            self.drop(dev, frame, "no-protocol", "__netif_receive_skb_core", f"{dev.label} has no IP stack behind it")
            return
        if frame.ethertype == 0x0806:  # ptype_base: arp_rcv / ip_rcv
            stack.arp_rcv(dev, frame, pkt_type)
        elif isinstance(frame.payload, IPv4):  # 0x0800 (an ethertype always matches its payload's class)
            stack.ip_rcv(dev, frame.payload, pkt_type, frame)
        elif frame.ethertype == 0x86DD:
            stack.ipv6_rcv(dev, frame, pkt_type)

    def _host_rx(self, dev: Device, frame: Frame, pkt_type: int) -> None:
        """netif_receive of an untagged frame, nothing observed, on a device with no
        rx_handler and no VLAN devices, and a stack behind it (World.freeze decides)."""
        self.frames += 1
        stack = dev.stack
        assert stack is not None
        if frame.ethertype == 0x0806:  # ptype_base: arp_rcv / ip_rcv / ipv6_rcv, as netif_receive
            stack.arp_rcv(dev, frame, pkt_type)
        elif isinstance(frame.payload, IPv4):  # 0x0800 (an ethertype always matches its payload's class)
            stack.ip_rcv(dev, frame.payload, pkt_type, frame)
        elif frame.ethertype == 0x86DD:
            stack.ipv6_rcv(dev, frame, pkt_type)

    def _receive_rounds(self, dev: Device, frame: Frame, pkt_type: int, rounds: int) -> None:
        """The receive loop: each round a VLAN demux or an rx_handler's RX_HANDLER_ANOTHER."""
        observed = self.tracing or self.captures
        for _ in range(rounds):
            if observed:
                if self.captures:
                    self._capture(dev, frame)
                if self.tracing:
                    self.hop(dev, "rx", "ok", frame)
            if frame.tags and dev.vlans:
                tpid, vid = frame.tags[0]
                sub = dev.vlans.get((tpid, vid))
                if sub is not None:
                    if not sub.up:
                        self.drop(sub, frame, "vlan-down", "vlan_do_receive", f"VLAN device {sub.label} is down")
                        return
                    frame = Frame(frame.dst, frame.src, frame.ethertype, frame.payload, frame.tags[1:])
                    if pkt_type == OTHERHOST and frame.dst == sub.mac:
                        pkt_type = HOST
                    dev = sub
                    continue
            h = dev.rx_handler
            if h is not None:
                # Loop detection: all copies of a packet share its payload object, so
                # this counts the packet's passes through forwarding devices. A count
                # above what a loop-free lab allows (World.freeze) is a forwarding loop
                # (e.g. two ports of one bridge on one switch, no STP). Plain receivers
                # are not counted, so pruning inert copies cannot change this verdict.
                p = frame.payload
                p.hops += 1
                if p.hops > self.loop_bound:
                    self.loops.append(dev.label)
                    self.drop(
                        dev,
                        frame,
                        "forwarding-loop",
                        "br_forward",
                        f"this packet's copies passed forwarding devices {self.loop_bound} times: a forwarding "
                        "loop (the kernel would forward it forever: a broadcast storm); stopped here",
                    )
                    return
                r = h(dev, frame, pkt_type)
                if r == CONSUMED:
                    return
                if r != PASS:
                    dev, frame, pkt_type = r
                    continue
            if frame.tags:
                if frame.tags[0][1] != 0:
                    self.drop(
                        dev,
                        frame,
                        "vlan-unknown-vid",
                        "__netif_receive_skb_core",
                        f"tagged with VLAN {frame.tags[0][1]} but {dev.label} has no VLAN device for it (OTHERHOST)",
                    )
                    return
                frame = Frame(frame.dst, frame.src, frame.ethertype, frame.payload, frame.tags[1:])
                continue
            stack = dev.stack
            if stack is None:
                self.drop(
                    dev, frame, "no-protocol", "__netif_receive_skb_core", f"{dev.label} has no IP stack behind it"
                )
                return
            if frame.ethertype == 0x0806:  # ptype_base: arp_rcv / ip_rcv
                stack.arp_rcv(dev, frame, pkt_type)
            elif isinstance(frame.payload, IPv4):  # 0x0800 (an ethertype always matches its payload's class)
                stack.ip_rcv(dev, frame.payload, pkt_type, frame)
            elif frame.ethertype == 0x86DD:
                stack.ipv6_rcv(dev, frame, pkt_type)
            return
        self.drop(dev, frame, "rx-loop", "__netif_receive_skb_core", "too many receive rounds")
