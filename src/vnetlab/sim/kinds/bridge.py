"""bridge (net/bridge/): FDB learning, flooding, hairpin, local delivery, VLANs.

br_handle_frame is the rx_handler of every port; br_dev_xmit is the bridge
device's own transmit. A unicast whose FDB entry points back at the ingress
port is dropped unless the port has hairpin on (should_deliver) — it is not
flooded instead. Local entries (the bridge's MAC and every port's MAC) are
delivered up and never forwarded; only the bridge MAC and the ingress port's
own MAC make the frame HOST for IP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...model.kinds import Bridge
from ..frame import (
    _ODD,
    ARP_REQUEST,
    BROADCAST,
    ETH_P_8021Q,
    HOST,
    OTHERHOST,
    PBROADCAST,
    PMULTICAST,
    Arp,
    Frame,
    is_multicast,
)
from ..world import CONSUMED, Device

if TYPE_CHECKING:
    from ...resolve import Iface
    from ..conntrack import Ct
    from ._common import BuildContext

KINDS = ("bridge",)


@dataclass(slots=True, eq=False)
class Port:
    bridge: BridgeDev
    dev: Device
    hairpin: bool = False
    learning: bool = True
    flood: bool = True
    pvid: int | None = 1
    vlans: frozenset[int] = frozenset({1})
    untagged: frozenset[int] = frozenset({1})

    def forwarding(self) -> bool:
        """STP off: a port is FORWARDING iff its device is up with carrier."""
        return self.dev.oper


@dataclass(slots=True)
class Entry:
    port: Port | None  # None: the bridge device itself
    local: bool


class BridgeDev(Device):
    kind = "bridge"

    def __init__(self, *a: Any, vlan_filtering: bool = False, default_pvid: int = 1, **kw: Any):
        super().__init__(*a, **kw)
        self.ports: list[Port] = []
        self._order: dict[Port, int] = {}
        self._idx: tuple[list[Port], dict[int, list[Port]], dict[Device, Port]] | None = None
        self.had_ports = False
        self.promisc = False
        self._inert_up = False
        self.filtering = vlan_filtering
        self.default_pvid = default_pvid
        #: br_netfilter: bridged IPv4 passes the namespace's ip/inet hooks (its ruleset and
        #: bridge-nf-call-iptables=1: set by the Simulator once the ruleset is known), bridged
        #: IPv6 its ip6/inet hooks (bridge-nf-call-ip6tables=1); ``brnf``: either
        self.brnf = False
        self.brnf_types: tuple[type, ...] = ()
        self.fdb: dict[tuple[str, int], Entry] = {(self.mac, 0): Entry(None, True)}
        if vlan_filtering:
            self.fdb[(self.mac, default_pvid)] = Entry(None, True)

    def freeze(self) -> None:
        # dev_uc_add of an opened macvlan child puts a bridge (no IFF_UNICAST_FLT) in promiscuous mode
        port = self.macvlan_port
        self.promisc = port is not None and any(c.up and c.mac != self.mac for c in port.children)
        #: what the bridge device receives goes straight to its stack (see _pass_up)
        self._inert_up = self.rx_handler is None and not self.vlans

    def carrier(self) -> bool:
        if not self.had_ports:
            return True  # a bridge that never had a port: carrier on, UNKNOWN
        return any(p.dev.up and p.dev.carrier() for p in self.ports)

    def add_port(
        self,
        dev: Device,
        *,
        hairpin: bool = False,
        learning: bool = True,
        flood: bool = True,
        pvid: int | None = None,
        vlans: frozenset[int] = frozenset(),
        untagged: bool = True,
    ) -> Port:
        if self.filtering:
            pv = self.default_pvid if pvid is None else pvid
            members = frozenset(vlans) | {pv} if vlans or pvid is not None else frozenset({pv})
            p = Port(self, dev, hairpin, learning, flood, pv, members, frozenset({pv}) if untagged else frozenset())
        else:
            p = Port(self, dev, hairpin, learning, flood)
        dev.register_rx_handler(self.handle_frame, "bridge")
        dev.bridge_port = p  # type: ignore[attr-defined]  # set on its ports only: the hot path reads it without a lookup
        # br_add_if: list_add_rcu puts a new port at the *head* of br->port_list, and
        # br_flood walks that list: a flood reaches the newest port first (which
        # matters for ARP flux, where the first reply wins) [V: kernel-semantics §2.2]
        self._order[p] = -len(self.ports)
        self.ports.insert(0, p)
        self._idx = None
        self.had_ports = True
        for vid in p.vlans if self.filtering else (0,):
            self.fdb[(dev.mac, vid)] = Entry(p, True)
        return p

    # VLAN helpers (br_vlan.c) ------------------------------------------------
    def _ingress(self, p: Port | None, frame: Frame) -> tuple[int, Frame] | None:
        if not self.filtering:
            return 0, frame
        vlans = p.vlans if p is not None else frozenset({self.default_pvid})
        pvid = p.pvid if p is not None else self.default_pvid
        if frame.tags and frame.tags[0][0] == ETH_P_8021Q and frame.tags[0][1] != 0:
            vid = frame.tags[0][1]
            frame = Frame(frame.dst, frame.src, frame.ethertype, frame.payload, frame.tags[1:])
        else:
            if pvid is None:
                return None
            vid = pvid
        if vid not in vlans:
            return None
        return vid, frame

    def _egress(self, p: Port, vid: int, frame: Frame) -> Frame | None:
        if not self.filtering:
            return frame
        if vid not in p.vlans:
            return None
        if vid in p.untagged:
            return frame
        return Frame(frame.dst, frame.src, frame.ethertype, frame.payload, ((ETH_P_8021Q, vid), *frame.tags))

    def _deliver(self, p: Port, vid: int, frame: Frame) -> None:
        out = self._egress(p, vid, frame)
        if out is None:
            self.world.drop(
                p.dev,
                frame,
                "bridge-vlan-egress",
                "br_allowed_egress",
                f"VLAN {vid} is not configured on port {p.dev.name}",
            )
            return
        self.world.dev_queue_xmit(p.dev, out)

    def _index(self) -> tuple[list[Port], dict[int, list[Port]], dict[Device, Port]]:
        """Which ports lead straight to a plain host stack (a veth whose peer has no
        rx_handler and no VLAN devices), by every local address of that stack (weak
        host: any interface of a node may answer for any of its addresses) and by
        the device behind them. Every other port is in ``other``."""
        if self._idx is None:
            plain: dict[int, list[Port]] = {}
            devport: dict[Device, Port] = {}
            other: list[Port] = []
            for q in self.ports:
                peer = getattr(q.dev, "peer", None)
                if (
                    peer is None
                    or peer.rx_handler is not None
                    or peer.vlans
                    or peer.stack is None
                    or q.dev.rx_handler != self.handle_frame
                ):
                    other.append(q)
                    continue
                devport[peer] = q
                for ip in peer.stack.local:
                    plain.setdefault(ip, []).append(q)
            self._idx = (other, plain, devport)
        return self._idx

    def _receivers(self, frame: Frame) -> list[Port]:
        """The ports a broadcast must be copied to for the simulation's result.

        An ARP request copied to a plain host stack (see ``_index``) is inert
        there — arp_rcv changes no state, queues nothing and decides no verdict —
        unless that stack owns the target address (it may answer: Stack.arp_rcv)
        or that very device is resolving the sender (an INCOMPLETE entry it would
        fill). Dropping inert copies leaves every other event, and the order of
        the rest, unchanged (the queue is FIFO and an inert event adds nothing to
        it), so the result is exactly the full flood's. Everything else, and
        everything while tracing or capturing, goes to every port.
        """
        a = frame.payload
        if len(self.ports) <= 8 or self.world.observed or not isinstance(a, Arp) or a.op != ARP_REQUEST:
            return self.ports
        other, plain, devport = self._index()
        owners = plain.get(a.tpa)
        waiting = self.world.waiting.get(a.spa)
        if not other and not waiting:  # the common case: only the stacks that own the address
            return owners or []
        if not owners and not waiting:  # (e.g. a switch of a tree, its uplink in ``other``)
            return other  # built in port order: what the sort below would give
        targets = set(other)
        if owners:
            targets.update(owners)
        for dev in waiting or ():
            q = devport.get(dev)
            if q is not None:
                targets.add(q)
        return sorted(targets, key=self._order.__getitem__)

    def _flood(self, ingress: Port | None, vid: int, frame: Frame, unknown_unicast: bool, ct: Ct | None = None) -> None:
        w = self.world
        filtering = self.filtering
        xmit = w.dev_queue_xmit
        for q in self.ports if unknown_unicast else self._receivers(frame):
            if q is ingress and not q.hairpin:
                if w.tracing:
                    w.drop(
                        q.dev,
                        frame,
                        "bridge-no-hairpin",
                        "br_flood",
                        f"hairpin is off on {q.dev.name}: the flood is not sent back out of the port it came in on",
                    )
                continue
            if not q.dev.oper:  # q.forwarding()
                continue
            if unknown_unicast and not q.flood:
                continue
            if ct is not None and not self._nf_forward(q, frame, ct):
                continue  # each copy passes FORWARD and POST_ROUTING (br_forward per port)
            if filtering:
                if vid not in q.vlans:
                    continue
                self._deliver(q, vid, frame)
            else:
                xmit(q.dev, frame)  # _deliver without VLAN filtering: the frame leaves as it is

    def learn(self, p: Port, mac: str) -> None:
        """br_fdb_update of an untagged frame from ``mac`` on ``p`` that changes the entry
        (the caller checked: no entry, or one of another port that is not local)."""
        self.fdb[(mac, 0)] = Entry(p, False)

    # br_handle_frame: the rx_handler on each port ------------------------------
    def port_rx(self, dev: Device, frame: Frame, pkt_type: int) -> None:
        """netif_receive on a port of this bridge (no VLAN filtering, no VLAN devices on the
        port) of an untagged frame while nothing is observed: World.netif_receive's first
        round (the loop check) and br_handle_frame in one (World.freeze picks it), with
        dev_queue_xmit to a veth port inlined. Every case it does not spell out is the
        general code's (``handle_frame``, ``_flood``, ``_pass_up``)."""
        w = self.world
        if self.brnf:  # the hooks: the general path (netif_receive calls handle_frame)
            w.netif_receive(dev, frame, pkt_type)
            return
        w.frames += 1
        pl = frame.payload
        if pl.hops >= w.loop_bound:
            w._receive_rounds(dev, frame, pkt_type, 16)
            return
        pl.hops += 1
        src = frame.src
        if src[1] in _ODD or src == "00:00:00:00:00:00" or not dev.oper:
            self.handle_frame(dev, frame, pkt_type)  # its drops
            return
        p: Port = dev.bridge_port  # type: ignore[attr-defined]  # a bridge port (set by add_port)
        dst = frame.dst
        if dst == self.mac:
            pkt_type = HOST
        fdb = self.fdb
        if p.learning:
            key = (src, 0)
            e = fdb.get(key)
            if e is None or (not e.local and e.port is not p):
                fdb[key] = Entry(p, False)
        if dst[1] in _ODD:
            if type(pl) is Arp and pl.op == ARP_REQUEST and len(self.ports) > 8:
                # _receivers' common case (no port outside the index, nobody resolving the
                # sender): only the ports to stacks that own the target address
                other, plain, _ = self._idx or self._index()
                if not other and not w.waiting.get(pl.spa):
                    for q in plain.get(pl.tpa, ()):
                        qdev = q.dev
                        if (q is p and not q.hairpin) or not qdev.oper:
                            continue
                        peer = qdev.fast_peer
                        if peer is not None and peer.up:  # dev_queue_xmit, as below
                            w.frames += 1
                            if dst == peer.mac:
                                pt = HOST
                            else:
                                pt = PBROADCAST if dst == BROADCAST else PMULTICAST
                            w.queue.append((peer.fast_rx, (peer, frame, pt)))
                        else:
                            w.dev_queue_xmit(qdev, frame)
                    # br_pass_frame_up of an ARP request: see _pass_up
                    if self._inert_up:
                        st = self.stack
                        if st is None or (pl.tpa not in st.local and self not in w.waiting.get(pl.spa, ())):
                            return
                    w.netif_receive(self, frame, pkt_type)
                    return
            self._flood(p, 0, frame, False)
            self._pass_up(0, frame, pkt_type)  # a multicast is always received locally too
            return
        e = fdb.get((dst, 0))
        if e is None:
            self._flood(p, 0, frame, True)
        elif e.local:
            self._pass_up(0, frame, pkt_type)
            return
        else:
            out = e.port
            assert out is not None
            qdev = out.dev
            if (out is p and not p.hairpin) or not qdev.oper:
                self.handle_frame(dev, frame, pkt_type)  # its drops (it learns nothing new)
                return
            peer = qdev.fast_peer
            if peer is not None and peer.up:
                # dev_queue_xmit (qdev is operational), VethDev.xmit and dev_forward, inlined:
                # the known unicast to a veth port, the most common frame of all
                w.frames += 1
                w.queue.append((peer.fast_rx, (peer, frame, HOST if dst == peer.mac else OTHERHOST)))
            else:
                w.dev_queue_xmit(qdev, frame)
        if self.promisc:
            self._pass_up(0, frame, pkt_type)

    def handle_frame(self, dev: Device, frame: Frame, pkt_type: int) -> int:
        w = self.world
        p: Port = dev.bridge_port  # type: ignore[attr-defined]  # a bridge port (set by add_port)
        src = frame.src
        if src[1] in _ODD or src == "00:00:00:00:00:00":
            w.drop(dev, frame, "bridge-bad-source", "br_handle_frame", "source MAC is not a valid unicast")
            return CONSUMED
        if not dev.oper:  # p.dev is dev
            w.drop(
                dev,
                frame,
                "bridge-port-disabled",
                "br_handle_frame",
                f"port {dev.name} is not forwarding (down or no carrier)",
            )
            return CONSUMED
        dst = frame.dst
        if dst == self.mac:
            pkt_type = HOST
        ct: Ct | None = None
        if self.brnf and type(frame.payload) in self.brnf_types and not frame.tags:
            # br_nf_pre_routing (an untagged IPv4 or IPv6 frame only: IS_IP, IS_IPV6), before learning
            st = self.stack
            assert st is not None
            ct = st.br_pre(self, dev, frame.payload)  # type: ignore[arg-type]  # why: brnf_types has IPv4/IPv6 only
            if ct is None:
                return CONSUMED
        if self.filtering:
            r = self._ingress(p, frame)
            if r is None:
                w.drop(
                    dev,
                    frame,
                    "bridge-vlan-ingress",
                    "__allowed_ingress",
                    f"VLAN not allowed on port {dev.name} (no PVID or not a member)",
                )
                return CONSUMED
            vid, frame = r
        else:
            vid = 0
        fdb = self.fdb
        if p.learning:
            key = (src, vid)
            e = fdb.get(key)
            if e is None or (not e.local and e.port is not p):
                fdb[key] = Entry(p, False)
        if dst[1] in _ODD:
            if w.tracing:
                w.hop(
                    self,
                    "fwd",
                    "flood",
                    frame,
                    why=f"{self.label}: broadcast is flooded"
                    + (" (hairpin: also back out of the ingress port)" if p.hairpin else ""),
                )
            self._flood(p, vid, frame, False, ct)
            self._pass_up(vid, frame, pkt_type, ct)  # a multicast is always received locally too
            return CONSUMED
        e = fdb.get((dst, vid))
        if e is None:
            if w.tracing:
                w.hop(self, "fwd", "flood", frame, why=f"{self.label}: unknown unicast is flooded")
            self._flood(p, vid, frame, True, ct)
            if self.promisc:
                self._pass_up(vid, frame, pkt_type, ct)
            return CONSUMED
        if e.local:
            self._pass_up(vid, frame, pkt_type, ct)
            return CONSUMED
        q = e.port
        assert q is not None
        qdev = q.dev
        if q is p and not p.hairpin:
            w.drop(
                self,
                frame,
                "bridge-no-hairpin",
                "should_deliver",
                f"{frame.dst} was learned behind the ingress port {dev.name} and hairpin is off; the frame is dropped, not flooded",
            )
        elif not qdev.oper:  # q.forwarding()
            w.drop(self, frame, "bridge-port-disabled", "should_deliver", f"port {qdev.name} is not forwarding")
        elif ct is not None and not self._nf_forward(q, frame, ct):
            pass  # dropped in FORWARD or POST_ROUTING
        elif self.filtering:
            if q is p and w.tracing:
                self._hop_hairpin(dev, frame)
            self._deliver(q, vid, frame)
        else:
            if q is p and w.tracing:
                self._hop_hairpin(dev, frame)
            w.dev_queue_xmit(qdev, frame)
        if self.promisc:
            self._pass_up(vid, frame, pkt_type, ct)
        return CONSUMED

    def _hop_hairpin(self, dev: Device, frame: Frame) -> None:
        self.world.hop(
            self, "fwd", "hairpin", frame, why=f"{self.label}: hairpin on port {dev.name} reflects the frame back"
        )

    def _nf_forward(self, q: Port, frame: Frame, ct: Ct) -> bool:
        """br_nf_forward_ip and br_nf_post_routing of one copy of a bridged IPv4 or IPv6 packet."""
        st = self.stack
        assert st is not None
        return st.br_forward(self, q.dev, frame.payload, ct)  # type: ignore[arg-type]  # why: br_pre took it (brnf_types)

    def _pass_up(self, vid: int, frame: Frame, pkt_type: int, ct: Ct | None = None) -> None:
        """br_pass_frame_up: the frame is received again on the bridge device; pkt_type is kept.

        An ARP request received by a plain bridge device (no rx_handler, no VLAN
        devices on it) is inert unless the bridge's stack owns the target address
        or the bridge is resolving the sender, exactly as a port's copy is (see
        ``_receivers``): it is then not received at all, unless observed. ``ct``: the conntrack
        br_nf_pre_routing gave a bridged IPv4 (IPv6) packet, which ip_rcv (ipv6_rcv) then takes
        instead of running PRE_ROUTING again (ip_sabotage_in, registered for both families)."""
        w = self.world
        if self.filtering and vid != self.default_pvid:
            frame = Frame(frame.dst, frame.src, frame.ethertype, frame.payload, ((ETH_P_8021Q, vid), *frame.tags))
        elif self._inert_up and not w.tracing and not w.captures:
            a = frame.payload
            if type(a) is Arp and a.op == ARP_REQUEST and not frame.tags:
                st = self.stack
                if st is None or (a.tpa not in st.local and self not in w.waiting.get(a.spa, ())):
                    return
        st = self.stack
        if ct is None or st is None:
            w.netif_receive(self, frame, pkt_type)
            return
        st._bridged = (frame.payload, ct)  # type: ignore[assignment]  # why: br_pre took it (brnf_types)
        try:
            w.netif_receive(self, frame, pkt_type)
        finally:
            st._bridged = None

    # br_dev_xmit: the bridge's own frames ----------------------------------------
    def xmit(self, frame: Frame) -> None:
        w = self.world
        r = self._ingress(None, frame)
        if r is None:
            w.drop(self, frame, "bridge-vlan-ingress", "br_dev_xmit", "VLAN not allowed on the bridge device itself")
            return
        vid, frame = r
        if is_multicast(frame.dst):
            for q in self._receivers(frame):
                if q.forwarding():
                    self._deliver(q, vid, frame)
            return
        e = self.fdb.get((frame.dst, vid))
        if e is None:
            for q in self.ports:
                if q.forwarding() and q.flood:
                    self._deliver(q, vid, frame)
        elif e.port is None:
            w.drop(
                self,
                frame,
                "bridge-own-mac",
                "br_forward",
                "a frame to the bridge's own MAC is not sent back to itself",
            )
        elif e.port.forwarding():
            self._deliver(e.port, vid, frame)


def build(b: BuildContext, iface: Iface) -> Device:
    spec = iface.spec
    assert isinstance(spec, Bridge)
    return b.plain(BridgeDev, iface, vlan_filtering=spec.vlan_filtering, default_pvid=spec.default_pvid)
