"""A lean rtnetlink reader for `import`: the four dumps and RTM_GETNSID
sent on a plain netlink socket, the replies decoded by pyroute2's own message
classes (so attribute names and values are pyroute2's, as with IPRoute).

An IPRoute handle per namespace costs a few milliseconds of set-up and event
loop per request; reading a machine with hundreds of containers is hundreds
of namespaces, so here one socket is opened in each (the calling thread's
namespace at open time) and read synchronously. The few calls that are rare
(bridge VLAN dumps) go to a real IPRoute opened on demand in the same
namespace.
"""

from __future__ import annotations

import itertools
import socket
import struct
from typing import Any

from pyroute2.netlink.rtnl.ifaddrmsg import ifaddrmsg
from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg
from pyroute2.netlink.rtnl.ndmsg import ndmsg
from pyroute2.netlink.rtnl.rtmsg import rtmsg

NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH = 18, 22, 26, 30
RTM_NEWNSID, RTM_GETNSID = 88, 90
NETNSA_NSID, NETNSA_FD = 1, 3
AF_INET, AF_INET6 = 2, 10
_HDR = struct.Struct("=IHHII")
RT_TABLE_COMPAT, RTPROT_KERNEL, NUD_PERMANENT = 252, 2, 0x80
#: IFLA_ADDRESS, IFNAME, MTU, LINK, MASTER, LINKINFO, LINK_NETNSID, PARENT_DEV_NAME, PARENT_DEV_BUS_NAME
_LINK_ATTRS = frozenset({1, 3, 4, 5, 10, 18, 37, 56, 57})
IFLA_LINKINFO, IFLA_INFO_SLAVE_KIND, IFLA_INFO_SLAVE_DATA = 18, 4, 5
#: IFLA_BRPORT_MODE (hairpin), LEARNING, UNICAST_FLOOD
_BRPORT_ATTRS = frozenset({4, 8, 9})


def _nest(atype: int, body: bytes) -> bytes:
    out = struct.pack("=HH", 4 + len(body), atype) + body
    return out.ljust((len(out) + 3) & ~3, b"\0")


def _linkinfo(attr: bytes, atype: int) -> bytes:
    """IFLA_LINKINFO with a bridge port's slave data cut to the flags the importer reads."""
    out, off, slave_kind = [], 4, b""
    while off + 4 <= len(attr):
        alen, t = struct.unpack_from("=HH", attr, off)
        if alen < 4:
            break
        body = attr[off + 4 : off + alen]
        if t & 0x3FFF == IFLA_INFO_SLAVE_KIND:
            slave_kind = body.rstrip(b"\0")
        if t & 0x3FFF == IFLA_INFO_SLAVE_DATA and slave_kind == b"bridge":
            kept, o = [], 0
            while o + 4 <= len(body):
                blen, bt = struct.unpack_from("=HH", body, o)
                if blen < 4:
                    break
                if bt & 0x3FFF in _BRPORT_ATTRS:
                    kept.append(_nest(bt, body[o + 4 : o + blen]))
                o += (blen + 3) & ~3
            body = b"".join(kept)
        out.append(_nest(t, body))
        off += (alen + 3) & ~3
    return _nest(atype, b"".join(out))


def _stripped(raw: bytes, fixed: int) -> bytes:
    """The message with only the attributes in _LINK_ATTRS (lengths fixed up)."""
    start = _HDR.size + fixed
    parts = [raw[:start]]
    off = start
    while off + 4 <= len(raw):
        alen, atype = struct.unpack_from("=HH", raw, off)
        if alen < 4:
            break
        step = (alen + 3) & ~3
        if atype & 0x3FFF == IFLA_LINKINFO:
            parts.append(_linkinfo(raw[off : off + alen], atype))
        elif atype & 0x3FFF in _LINK_ATTRS:
            parts.append(raw[off : off + step].ljust(step, b"\0"))
        off += step
    out = bytearray(b"".join(parts))
    struct.pack_into("=I", out, 0, len(out))
    return bytes(out)


class Rtnl:
    """Opened in a namespace, reads that namespace (the socket stays bound to it)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, 0)
        self.sock.settimeout(5)
        self.sock.bind((0, 0))
        self.seq = itertools.count(1)
        self._ipr: Any = None

    def __enter__(self) -> Rtnl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.sock.close()
        if self._ipr is not None:
            self._ipr.close()

    def _request(self, typ: int, flags: int, body: bytes) -> list[tuple[int, bytes]]:
        seq = next(self.seq)
        self.sock.send(_HDR.pack(_HDR.size + len(body), typ, flags, seq, 0) + body)
        out: list[tuple[int, bytes]] = []
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off + _HDR.size <= len(data):
                ln, t, _, s, _ = _HDR.unpack_from(data, off)
                if ln < _HDR.size:
                    raise OSError("malformed netlink message")
                msg = data[off : off + ln]
                off += (ln + 3) & ~3
                if s != seq:
                    continue
                if t == NLMSG_DONE:
                    return out
                if t == NLMSG_ERROR:
                    (err,) = struct.unpack_from("=i", msg, _HDR.size)
                    if err == 0:
                        return out
                    raise OSError(-err, f"netlink request {typ}: error {-err}")
                out.append((t, msg))
                if not flags & NLM_F_DUMP:
                    return out

    def _dump(self, typ: int, body: bytes, cls: Any, keep: Any = None, strip: int = 0) -> list[Any]:
        """A dump, decoded. ``keep(raw)`` picks messages before they are decoded;
        ``strip`` > 0 drops every attribute not in _LINK_ATTRS after that many
        bytes of fixed header (decoding a link's statistics is most of its cost)."""
        msgs = []
        for _, raw in self._request(typ, NLM_F_REQUEST | NLM_F_DUMP, body):
            if keep is not None and not keep(raw):
                continue
            m = cls(_stripped(raw, strip) if strip else raw)
            m.decode()
            msgs.append(m)
        return msgs

    def get_links(self) -> list[Any]:
        """Every link, with the attributes the importer reads (no statistics)."""
        return self._dump(RTM_GETLINK, struct.pack("=BxHiII", 0, 0, 0, 0, 0), ifinfmsg, strip=16)

    def get_addr(self) -> list[Any]:
        return self._dump(RTM_GETADDR, struct.pack("=BBBBI", 0, 0, 0, 0, 0), ifaddrmsg)

    def get_routes(self, table: int = 254, kernel: bool = True) -> list[Any]:
        """The routes of one table (kernel=False: without those the kernel adds itself)."""

        def keep(raw: bytes) -> bool:
            return raw[_HDR.size + 4] in (table, RT_TABLE_COMPAT) and (kernel or raw[_HDR.size + 5] != RTPROT_KERNEL)

        routes = self._dump(RTM_GETROUTE, struct.pack("=BBBBBBBBI", 0, 0, 0, 0, 0, 0, 0, 0, 0), rtmsg, keep)
        return [r for r in routes if (r.get_attr("RTA_TABLE") or r["table"]) == table]

    def get_neighbours(self, permanent: bool = False) -> list[Any]:
        """IPv4 and IPv6 neighbours (not the bridges' FDBs); permanent=True: only static ones."""

        def keep(raw: bytes) -> bool:
            fam = raw[_HDR.size]
            (state,) = struct.unpack_from("=H", raw, _HDR.size + 8)
            return fam in (AF_INET, AF_INET6) and (not permanent or bool(state & NUD_PERMANENT))

        return self._dump(RTM_GETNEIGH, struct.pack("=BxxxiHBB", 0, 0, 0, 0, 0), ndmsg, keep)

    def get_netnsid(self, fd: int) -> dict[str, Any] | None:
        """The nsid this namespace gives the namespace open as ``fd`` (not assigned: -1)."""
        body = struct.pack("=Bxxx", 0) + struct.pack("=HHI", 8, NETNSA_FD, fd)
        for t, raw in self._request(RTM_GETNSID, NLM_F_REQUEST, body):
            if t != RTM_NEWNSID:
                continue
            off = _HDR.size + 4
            while off + 4 <= len(raw):
                alen, atype = struct.unpack_from("=HH", raw, off)
                if alen < 4:
                    break
                if atype & 0x3FFF == NETNSA_NSID and alen >= 8:
                    return {"nsid": struct.unpack_from("=i", raw, off + 4)[0]}
                off += (alen + 3) & ~3
        return None

    def _rare(self) -> Any:
        """A real IPRoute for the rare dumps, opened now: in the namespace this thread is in."""
        if self._ipr is None:
            from pyroute2 import IPRoute

            self._ipr = IPRoute()
        return self._ipr

    def get_vlans(self) -> Any:
        return self._rare().get_vlans()

    def fdb(self, cmd: str) -> Any:
        """Bridge FDB dump (a vxlan's all-zero entries: its `remotes`)."""
        return self._rare().fdb(cmd)
