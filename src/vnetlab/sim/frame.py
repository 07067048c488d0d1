"""Frames and packets in a compact in-memory form.

The simulator moves these small slotted objects around; addresses are kept as
strings (MACs) and ints (IPv4) so comparisons are cheap. Bytes are produced
only when a frame is captured (``encode``), with dpkt, so a pcap written by
the simulator is read back by tcpdump like any other.
"""

from __future__ import annotations

import functools
import ipaddress
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import dpkt  # imported where frames become bytes: the simulator itself never needs it

    from .ipv6 import IPv6

BROADCAST = "ff:ff:ff:ff:ff:ff"
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8
TPID = {"802.1Q": ETH_P_8021Q, "802.1ad": ETH_P_8021AD}

# pkt_type values of eth_type_trans (include/uapi/linux/if_packet.h)
HOST, PBROADCAST, PMULTICAST, OTHERHOST = 0, 1, 2, 3

ARP_REQUEST, ARP_REPLY = 1, 2
ICMP_ECHO_REPLY, ICMP_ECHO = 0, 8
PROTO_ICMP, PROTO_TCP, PROTO_UDP = 1, 6, 17
# TCP flags (include/net/tcp.h TCPHDR_*)
TCP_SYN, TCP_RST, TCP_ACK = 0x02, 0x04, 0x10


_ODD = frozenset("13579bdfBDF")


def is_multicast(mac: str) -> bool:
    """The I/G bit: the low bit of the first octet."""
    return mac[1] in _ODD


@functools.lru_cache(maxsize=65536)
def ip_str(ip: int) -> str:
    return str(ipaddress.IPv4Address(ip))


def ip_int(ip: str) -> int:
    return int(ipaddress.IPv4Address(ip))


@dataclass(slots=True)
class Arp:
    op: int
    sha: str
    spa: int
    tha: str
    tpa: int
    #: how many times copies of this packet entered an rx_handler (World.netif_receive's loop check)
    hops: int = field(default=0, compare=False, repr=False)

    def describe(self) -> str:
        if self.op == ARP_REQUEST:
            return f"ARP who-has {ip_str(self.tpa)} tell {ip_str(self.spa)}"
        return f"ARP {ip_str(self.spa)} is-at {self.sha}"


@dataclass(slots=True)
class Icmp:
    type: int
    id: int
    seq: int

    def describe(self) -> str:
        return "echo request" if self.type == ICMP_ECHO else "echo reply"


@dataclass(slots=True)
class Vxlan:
    vni: int
    inner: Frame


@dataclass(slots=True)
class Datagram:
    """A port probe's UDP payload: the probe's tag; an answer carries its node's name."""

    tag: int
    text: str = ""


@dataclass(slots=True)
class Udp:
    sport: int
    dport: int
    payload: Vxlan | Datagram


@dataclass(slots=True)
class Tcp:
    """A port probe's TCP segment (SYN, SYN/ACK or RST): the probe's tag; a SYN/ACK carries its node's name."""

    sport: int
    dport: int
    flags: int
    tag: int
    text: str = ""

    def describe(self) -> str:
        names = [n for f, n in ((TCP_SYN, "SYN"), (TCP_RST, "RST"), (TCP_ACK, "ACK")) if self.flags & f]
        return f"TCP {self.sport} > {self.dport} [{'/'.join(names)}]"


@dataclass(slots=True)
class IPv4:
    src: int
    dst: int
    proto: int
    payload: Icmp | Udp | Tcp
    ttl: int = 64
    #: see Arp.hops; a routed packet is a new IPv4 (its TTL bounds layer-3 loops)
    hops: int = field(default=0, compare=False, repr=False)

    def describe(self) -> str:
        p = self.payload
        what = p.describe() if isinstance(p, (Icmp, Tcp)) else f"UDP {p.sport} > {p.dport}"
        return f"IPv4 {ip_str(self.src)} > {ip_str(self.dst)} {what}"


@dataclass(slots=True)
class Frame:
    dst: str
    src: str
    ethertype: int
    payload: Arp | IPv4 | IPv6
    #: VLAN tags, outermost first: (tpid, vid)
    tags: tuple[tuple[int, int], ...] = field(default=())

    def describe(self) -> str:
        tag = "".join(f" vlan {vid}" for _, vid in self.tags)
        return f"{self.src} > {self.dst}{tag} {self.payload.describe()}"


def _mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", ""))


def encode(frame: Frame) -> bytes:
    """The frame as it would be on the wire (dpkt builds every header)."""
    import dpkt

    p = frame.payload
    if isinstance(p, Arp):
        body = bytes(
            dpkt.arp.ARP(
                op=p.op,
                sha=_mac_bytes(p.sha),
                spa=struct.pack("!I", p.spa),
                tha=_mac_bytes(p.tha),
                tpa=struct.pack("!I", p.tpa),
            )
        )
        etype = ETH_P_ARP
    elif not isinstance(p, IPv4):
        from .ipv6 import ETH_P_IPV6
        from .ipv6 import encode as encode6

        body, etype = encode6(p), ETH_P_IPV6
    else:
        body = bytes(_encode_ip(p))
        etype = ETH_P_IP
    # 802.1Q tags are built by hand: dpkt's Ethernet only writes them from a parsed frame
    tags = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in frame.tags)
    return _mac_bytes(frame.dst) + _mac_bytes(frame.src) + tags + struct.pack("!H", etype) + body


def encode_l4(p: Tcp | Udp) -> dpkt.Packet:
    """A TCP segment or UDP datagram (a port probe's, or a VXLAN packet's) as dpkt writes it;
    IPv4 and IPv6 (sim/ipv6.py ``encode``) carry the same."""
    import dpkt

    if isinstance(p, Tcp):
        return dpkt.tcp.TCP(sport=p.sport, dport=p.dport, flags=p.flags, seq=p.tag, data=p.text.encode())
    if isinstance(p.payload, Datagram):
        vx = p.payload.text.encode() or b"vnetlab-probe"
    else:
        vx = struct.pack("!II", 0x08000000, p.payload.vni << 8) + encode(p.payload.inner)
    data = dpkt.udp.UDP(sport=p.sport, dport=p.dport, data=vx)
    data.ulen = 8 + len(vx)
    return data


def _encode_ip(p: IPv4) -> dpkt.ip.IP:
    import dpkt

    if isinstance(p.payload, Icmp):
        icmp = dpkt.icmp.ICMP(
            type=p.payload.type, code=0, data=dpkt.icmp.ICMP.Echo(id=p.payload.id, seq=p.payload.seq, data=b"vnetlab")
        )
        data: dpkt.Packet = icmp
    else:
        data = encode_l4(p.payload)
    ip = dpkt.ip.IP(src=struct.pack("!I", p.src), dst=struct.pack("!I", p.dst), p=p.proto, ttl=p.ttl, data=data)
    ip.len = 20 + len(bytes(data))
    return ip


def _mac_str(b: bytes) -> str:
    return ":".join(f"{x:02x}" for x in b)


def decode(buf: bytes) -> Frame | None:
    """Bytes from a real device → a Frame, for what a guest understands
    (Ethernet, 802.1Q/802.1ad tags, ARP, IPv4 ICMP echo, ICMPv6 echo and ND:
    sim/ipv6.py ``decode``); None for the rest."""
    if len(buf) < 14:
        return None
    dst, src = _mac_str(buf[0:6]), _mac_str(buf[6:12])
    (etype,) = struct.unpack_from("!H", buf, 12)
    off = 14
    tags: list[tuple[int, int]] = []
    while etype in (ETH_P_8021Q, ETH_P_8021AD) and len(buf) >= off + 4:
        tci, inner = struct.unpack_from("!HH", buf, off)
        tags.append((etype, tci & 0x0FFF))
        etype = inner
        off += 4
    body = buf[off:]
    import dpkt

    if etype == ETH_P_ARP and len(body) >= 28:
        a = dpkt.arp.ARP(body)
        payload: Arp | IPv4 = Arp(
            a.op, _mac_str(a.sha), struct.unpack("!I", a.spa)[0], _mac_str(a.tha), struct.unpack("!I", a.tpa)[0]
        )
    elif etype == ETH_P_IP and len(body) >= 20:
        ip = dpkt.ip.IP(body)
        if (
            ip.p != PROTO_ICMP
            or not isinstance(ip.data, dpkt.icmp.ICMP)
            or ip.data.type not in (ICMP_ECHO, ICMP_ECHO_REPLY)
        ):
            return None
        echo = ip.data.data
        payload = IPv4(
            struct.unpack("!I", ip.src)[0],
            struct.unpack("!I", ip.dst)[0],
            PROTO_ICMP,
            Icmp(ip.data.type, echo.id, echo.seq),
            ip.ttl,
        )
    elif etype == 0x86DD:  # ETH_P_IPV6
        from .ipv6 import decode as decode6

        p6 = decode6(body)
        if p6 is None:
            return None
        return Frame(dst, src, etype, p6, tuple(tags))
    else:
        return None
    return Frame(dst, src, etype, payload, tuple(tags))
