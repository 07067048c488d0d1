"""VXLAN (drivers/net/vxlan/vxlan_core.c): Ethernet over UDP between VTEPs.

TX looks up the FDB for the destination MAC, then the all-zeros default
entry (``remote``); with neither the frame is dropped. RX comes through the
node's UDP socket on ``dstport``; the VNI selects the device; with learning
the inner source MAC is recorded against the outer source IP.
"""

from __future__ import annotations

import zlib

from ..frame import PROTO_UDP, Frame, IPv4, Udp, Vxlan, ip_int, ip_str, is_multicast
from ..world import Device, eth_type_trans


class VxlanDev(Device):
    kind = "vxlan"

    def __init__(
        self,
        *a: object,
        vni: int,
        remote: str | None,
        group: str | None,
        local: str | None,
        dstport: int,
        learning: bool,
        **kw: object,
    ):
        super().__init__(*a, **kw)  # type: ignore[arg-type]
        self.vni = vni
        self.default = ip_int(remote) if remote else None
        self.group = ip_int(group) if group else None
        self.local = ip_int(local) if local and ":" not in local else None
        self.dstport = dstport
        self.learning = learning
        self.fdb: dict[str, int] = {}

    def xmit(self, frame: Frame) -> None:
        w = self.world
        remote = None if is_multicast(frame.dst) else self.fdb.get(frame.dst)
        if remote is None:
            remote = self.default
        if remote is None:
            why = (
                "the multicast group underlay is not simulated"
                if self.group is not None
                else "no FDB entry for the destination and no default remote (neither 'remote' nor 'group')"
            )
            w.drop(self, frame, "vxlan-no-destination", "vxlan_xmit", why)
            return
        stack = self.stack
        assert stack is not None
        sport = 49152 + zlib.crc32(f"{frame.src}{frame.dst}".encode()) % 16384
        src = self.local
        if src is None:
            r = stack.lookup(remote)
            src = stack.select_src(r, remote) if r else None
        if src is None:
            w.drop(self, frame, "vxlan-no-route", "vxlan_xmit", f"no route to the remote VTEP {ip_str(remote)}")
            return
        if w.tracing:
            w.hop(self, "fwd", "encap", frame, why=f"VNI {self.vni}: encapsulated to {ip_str(remote)}:{self.dstport}")
        stack.output(IPv4(src, remote, PROTO_UDP, Udp(sport, self.dstport, Vxlan(self.vni, frame))))

    def accept(self, pkt: IPv4) -> bool:
        """vxlan_rcv for a packet that reached this node's socket on our port."""
        udp = pkt.payload
        assert isinstance(udp, Udp)
        if udp.dport != self.dstport or udp.payload.vni != self.vni or not self.up:
            return False
        inner = udp.payload.inner
        if inner.src == self.mac:
            self.world.drop(self, inner, "vxlan-loop", "vxlan_rcv", "the inner source is this device's own MAC")
            return True
        if self.learning:
            self.fdb[inner.src] = pkt.src  # vxlan_snoop
        self.world.netif_rx(self, inner, eth_type_trans(self, inner))
        return True


def build(b: object, iface: object) -> Device:
    from ..build import Builder

    assert isinstance(b, Builder)
    s = iface.spec  # type: ignore[attr-defined]
    dev = b.plain(
        VxlanDev,
        iface,
        vni=s.vni,
        remote=s.remote,
        group=s.group,
        local=s.local,
        dstport=s.dstport,
        learning=s.learning,
    )
    stack = b.stacks[iface.node]  # type: ignore[attr-defined]
    stack.udp.setdefault(s.dstport, []).append(dev)
    return dev
