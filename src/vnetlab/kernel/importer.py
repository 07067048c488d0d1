"""Live kernel state → a lab file: `vnetlab import`.

Reads named network namespaces through netlink: links with their kinds and
modes, veth peers across namespaces (IFLA_LINK plus the link-netnsid, mapped
back to a namespace with RTM_GETNSID), macvlan/macvtap/ipvlan/vlan parents,
bridge ports with hairpin/learning/flood and VLAN membership, vxlan settings, addresses, static
routes and permanent neighbours, of both families. What the kernel made itself is not the lab's:
link-local addresses it derived (IFA_PROTO), proto kernel/ra routes (prefix routes, fe80::/64),
the local table; IPv4 forwarding/ARP and IPv6 forwarding/DAD sysctls where they differ from a new
namespace's (docs/kernel-semantics.md §11.7). A namespace that holds only a bridge and its
veth ports, with no address on them, reads back as a switch, and the far ends
of its ports as nics. Every MAC is written explicitly, except where the kernel
decides it (ipvlan, passthru, a vlan that kept its parent's).
"""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
import re
import stat
import subprocess
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import EnvironmentProblem, InputError
from ..model.values import check_ifname, ifname_rule
from . import nsutil, rtnl
from .kinds import DECODERS  # (ipvlan's import teaches pyroute2 IFLA_IPVLAN_FLAGS)

IFF_UP = 1
NUD_PERMANENT = 0x80
RTPROT_KERNEL = 2


@dataclass
class _Link:
    ns: str
    index: int
    name: str
    kind: str | None
    mac: str | None
    up: bool
    mtu: int
    link: int | None
    link_ns: str | None
    master: int | None
    data: dict[str, Any] = field(default_factory=dict)
    slave: dict[str, Any] = field(default_factory=dict)
    addrs: list[str] = field(default_factory=list)
    #: bridge VLAN membership (vid, flags) of a port, read where a bridge filters VLANs
    vlans: list[tuple[int, int]] | None = None
    #: a vxlan's all-zero FDB destinations, in kernel order (the first is remote/group)
    zero_dsts: list[str] = field(default_factory=list)
    #: the bus of the device behind it (pci, usb, virtio...): a physical NIC
    bus: str | None = None


def _default(family: int, via: str | None) -> str:
    """A default route's `to:`: a lab's `default` is IPv4's unless its via is IPv6 (plan/routes.py
    ``route_key``), so an IPv6 default through a device alone is ``::/0``."""
    return "::/0" if family == AF_INET6 and not via else "default"


def _attrs(nla: Any) -> dict[str, Any]:
    if nla is None:
        return {}
    out = {}
    for name, value in nla.get("attrs", []):
        out[name] = value
    return out


def read(netnses: list[str], paths: dict[str, str] | None = None, gone: dict[str, str] | None = None) -> dict[str, Any]:
    """Everything vnetlab needs from each namespace, as plain data.

    ``paths`` gives a namespace file per key (default: the named namespace of
    that name, /run/netns/KEY), e.g. /proc/PID/ns/net; a key there that is not
    in ``netnses`` is not read, only recognised as a veth's far end. With ``gone``, a file
    that cannot be opened any more (its process exited) is skipped and said
    there; once open, the namespace lives until it is read."""
    fds: dict[str, int] = {}
    probes = [k for k in paths or {} if k not in netnses]  # only asked for nsids (first: the likeliest peer)
    for ns in [*probes, *netnses]:
        try:
            fds[ns] = os.open(paths[ns] if paths else nsutil.path(ns), os.O_RDONLY | os.O_CLOEXEC)
        except (FileNotFoundError, ProcessLookupError) as e:
            if ns in probes:
                continue
            if gone is None:
                raise
            gone[ns] = f"its namespace went away while it was read ({e.strerror})"
    state: dict[str, Any] = {}
    try:
        for ns in [n for n in netnses if n in fds]:
            with nsutil.inside_fd(fds[ns]), rtnl.Rtnl() as h:  # a lean reader: one socket per namespace
                ids = _NsIds(h, ns, fds)
                links: dict[int, _Link] = {}
                for ln in h.get_links():
                    info = ln.get_attr("IFLA_LINKINFO")
                    kind = info.get_attr("IFLA_INFO_KIND") if info else None
                    data = _attrs(info.get_attr("IFLA_INFO_DATA")) if info else {}
                    slave = _attrs(info.get_attr("IFLA_INFO_SLAVE_DATA")) if info else {}
                    nsid = ln.get_attr("IFLA_LINK_NETNSID")
                    links[ln["index"]] = _Link(
                        ns,
                        ln["index"],
                        ln.get_attr("IFLA_IFNAME"),
                        kind,
                        ln.get_attr("IFLA_ADDRESS"),
                        bool(ln["flags"] & IFF_UP),
                        ln.get_attr("IFLA_MTU"),
                        ln.get_attr("IFLA_LINK"),
                        ids.get(nsid) if nsid is not None else ns,
                        ln.get_attr("IFLA_MASTER"),
                        data,
                        slave,
                    )
                    links[ln["index"]].bus = ln.get_attr("IFLA_PARENT_DEV_BUS_NAME")
                if any(ln.kind == "bridge" and ln.data.get("IFLA_BR_VLAN_FILTERING") for ln in links.values()):
                    _read_vlans(h, links)
                if any(ln.kind == "vxlan" for ln in links.values()):
                    for n in h.fdb("dump"):
                        ln = links.get(n["ifindex"])
                        zero = n.get_attr("NDA_LLADDR") == "00:00:00:00:00:00"
                        if ln is not None and ln.kind == "vxlan" and zero and n.get_attr("NDA_DST"):
                            ln.zero_dsts.append(n.get_attr("NDA_DST"))
                for a in h.get_addr():
                    ln = links.get(a["index"])
                    if ln is not None and a.get_attr("IFA_ADDRESS") and not _kernel_made(a, ln):
                        ln.addrs.append(f"{a.get_attr('IFA_ADDRESS')}/{a['prefixlen']}")
                routes = []
                for rt in h.get_routes(table=254, kernel=False):
                    if rt["proto"] in (RTPROT_KERNEL, RTPROT_RA):
                        continue  # made by the kernel from an address (or a link-local: fe80::/64), or by an RA
                    dst = rt.get_attr("RTA_DST")
                    metric = rt.get_attr("RTA_PRIORITY") or None
                    if rt["family"] == AF_INET6 and metric == IP6_RT_PRIO_USER:
                        metric = None  # what `ip -6 route add` without a metric gives (so does `up`)
                    routes.append(
                        {
                            "to": f"{dst}/{rt['dst_len']}"
                            if dst
                            else _default(rt["family"], rt.get_attr("RTA_GATEWAY")),
                            "via": rt.get_attr("RTA_GATEWAY"),
                            "dev": links[rt.get_attr("RTA_OIF")].name if rt.get_attr("RTA_OIF") in links else None,
                            "metric": metric,
                        }
                    )
                neigh = [
                    {
                        "address": n.get_attr("NDA_DST"),
                        "lladdr": n.get_attr("NDA_LLADDR"),
                        "dev": links[n["ifindex"]].name,
                    }
                    for n in h.get_neighbours(permanent=True)
                    if n["state"] & NUD_PERMANENT and n["ifindex"] in links and n.get_attr("NDA_LLADDR")
                ]
                sysctl = {}
                for key in ("ip_forward",):
                    with open(f"/proc/sys/net/ipv4/{key}") as fh:
                        if fh.read().strip() != "0":
                            sysctl[f"net.ipv4.{key}"] = 1
                # (a name with a dot cannot be written in a dotted sysctl key: check.py's sysctl-key)
                devs = ["all"] + [ln.name for ln in links.values() if ln.name != "lo" and "." not in ln.name]
                ip_fwd = "net.ipv4.ip_forward" in sysctl
                for dev in devs:
                    for key in ("rp_filter", "arp_ignore", "arp_filter", "forwarding"):
                        if key == "forwarding" and (dev == "all" or ip_fwd):
                            continue  # ip_forward=1 already turns every device's forwarding on
                        try:
                            with open(f"/proc/sys/net/ipv4/conf/{dev}/{key}") as fh:
                                v = fh.read().strip()
                        except OSError:
                            continue
                        if v != "0":
                            sysctl[f"net.ipv4.conf.{dev}.{key}"] = int(v)
                sysctl.update(_ipv6_sysctls(devs, {ln.name for ln in links.values() if not ln.mac}))
                for key in ("iptables", "ip6tables", "arptables"):  # br_netfilter, where loaded
                    try:
                        with open(f"/proc/sys/net/bridge/bridge-nf-call-{key}") as fh:
                            if fh.read().strip() != "0":
                                sysctl[f"net.bridge.bridge-nf-call-{key}"] = 1
                    except OSError:
                        continue
                state[ns] = {
                    "links": links,
                    "routes": routes,
                    "neigh": neigh,
                    "sysctl": sysctl,
                    "nftables": _ruleset(),
                }
    finally:
        for fd in fds.values():
            os.close(fd)
    return state


#: IFA_PROTO of the addresses the kernel adds itself: ::1 on lo, SLAAC from an RA, the
#: link-local one (IFAPROT_KERNEL_LO/RA/LL, include/uapi/linux/if_addr.h; since Linux 5.18)
IFAPROT_KERNEL = (1, 2, 3)
AF_INET6 = 10
RTPROT_RA = 9
#: the metric of an IPv6 route added without one (IP6_RT_PRIO_USER, include/net/ip6_route.h)
IP6_RT_PRIO_USER = 1024


def _kernel_made(a: Any, ln: _Link) -> bool:
    """An address the kernel derived itself (a lab's are added by `up` with IFA_PROTO unset):
    by IFA_PROTO where the kernel says it, else a link-local address that is the EUI-64
    of the device's MAC (addr_gen_mode 0, `addrconf_ifid_eui48`; docs/kernel-semantics.md §11.1)."""
    proto = a.get_attr("IFA_PROTO")
    if proto is not None:
        return proto in IFAPROT_KERNEL
    return a["family"] == AF_INET6 and ln.mac is not None and a.get_attr("IFA_ADDRESS") == _eui64(ln.mac)


def _eui64(mac: str) -> str:
    b = bytes.fromhex(mac.replace(":", ""))
    if len(b) != 6:
        return ""
    iid = bytes([b[0] ^ 0x02, b[1], b[2], 0xFF, 0xFE, b[3], b[4], b[5]])
    return str(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + iid))


#: net.ipv6.conf.<dev>.<key> a lab may set, with the kernel's values in a new namespace for a device
#: and for "all" (ipv6_devconf_dflt and ipv6_devconf in net/ipv6/addrconf.c; read on 6.18: all.accept_dad
#: is 0, a device's 1): only a value that differs is written
_V6_CONF = {
    "forwarding": (0, 0),
    "accept_dad": (1, 0),
    "dad_transmits": (1, 1),
    "enhanced_dad": (1, 1),
    "accept_ra": (1, 1),
    "autoconf": (1, 1),
    "router_solicitations": (-1, -1),
    "addr_gen_mode": (0, 0),
}


def _ipv6_sysctls(devs: list[str], no_lladdr: Collection[str] = ()) -> dict[str, int]:
    """The namespace's IPv6 settings that differ from a new namespace's. all.forwarding=1
    sets every device's forwarding too (`addrconf_fixup_forwarding`): then only it is written.
    ``no_lladdr``: devices without a link-layer address (a tun), whose addr_gen_mode the
    kernel itself sets to random (3: addrconf_dev_config, ARPHRD_NONE; ipv6/30_tun6.sh)."""
    out: dict[str, int] = {}
    fwd_all = False
    for dev in devs:
        for key, (dflt, dflt_all) in _V6_CONF.items():
            if key == "forwarding" and dev != "all" and fwd_all:
                continue
            try:
                with open(f"/proc/sys/net/ipv6/conf/{dev}/{key}") as fh:
                    v = int(fh.read().strip())
            except (OSError, ValueError):
                continue
            if key == "accept_dad" and v == -1:
                continue  # what ipv6_add_dev gives a NOARP device (tun, ipvlan l3): not a lab's
            if key == "addr_gen_mode" and v == 3 and dev in no_lladdr:
                continue  # the kernel's own choice for a device without a MAC: not a lab's
            if v != (dflt_all if dev == "all" else dflt):
                out[f"net.ipv6.conf.{dev}.{key}"] = v
                fwd_all = fwd_all or (dev == "all" and key == "forwarding")
    return out


class _NsIds:
    """nsid -> namespace key, as seen from one namespace, asked lazily: only
    the nsids its links name are looked up (RTM_GETNSID per other namespace
    until each is found), so reading N namespaces costs O(N) requests, not N²."""

    def __init__(self, h: Any, ns: str, fds: dict[str, int]) -> None:
        self.h = h
        self.found: dict[int, str] = {}
        self.todo = iter([(o, fd) for o, fd in fds.items() if o != ns])

    def get(self, nsid: int) -> str | None:
        while nsid not in self.found:
            nxt = next(self.todo, None)
            if nxt is None:
                return None
            res = self.h.get_netnsid(fd=nxt[1])
            if res and res.get("nsid") is not None and res["nsid"] >= 0:
                self.found[res["nsid"]] = nxt[0]
        return self.found[nsid]


def _read_vlans(h: Any, links: dict[int, _Link]) -> None:
    """`bridge vlan show`: one AF_BRIDGE dump with RTEXT_FILTER_BRVLAN."""
    for m in h.get_vlans():
        spec = m.get_attr("IFLA_AF_SPEC")
        if m["index"] not in links or spec is None:
            continue
        links[m["index"]].vlans = [
            (int(v["vid"]), int(v["flags"])) for n, v in spec.get("attrs", []) if n == "IFLA_BRIDGE_VLAN_INFO"
        ]


BRIDGE_VLAN_INFO_PVID, BRIDGE_VLAN_INFO_UNTAGGED = 0x2, 0x4


def _vlan_fields(port: _Link, master: _Link | None) -> list[str]:
    """A port's VLAN membership, where it differs from what enslaving gives it."""
    if master is None or not master.data.get("IFLA_BR_VLAN_FILTERING") or port.vlans is None:
        return []
    default = master.data.get("IFLA_BR_VLAN_DEFAULT_PVID") or 1
    pvid = next((vid for vid, f in port.vlans if f & BRIDGE_VLAN_INFO_PVID), None)
    untagged = any(f & BRIDGE_VLAN_INFO_UNTAGGED for vid, f in port.vlans if vid == pvid)
    others = sorted(vid for vid, _ in port.vlans if vid != pvid)
    if pvid == default and untagged and not others:
        return []
    out = [f"pvid: {pvid}"] if pvid is not None else []
    if pvid is not None and not untagged:
        out.append("untagged: false")
    out.append(f"vlans: [{', '.join(map(str, others))}]")
    return out


def _port_fields(port: _Link, master: _Link | None = None) -> list[str]:
    """A bridge port's non-default flags as a lab's `port:` mapping."""
    opts = _vlan_fields(port, master)
    if port.slave.get("IFLA_BRPORT_MODE"):
        opts.append("hairpin: true")
    if port.slave.get("IFLA_BRPORT_LEARNING") == 0:
        opts.append("learning: false")
    if port.slave.get("IFLA_BRPORT_UNICAST_FLOOD") == 0:
        opts.append("flood: false")
    return ["port: {" + ", ".join(opts) + "}"] if opts else []


def _node_name(ns: str, prefix: str) -> str:
    name = ns[len(prefix) :] if prefix and ns.startswith(prefix) else ns
    name = re.sub(r"[^a-z0-9_-]", "-", name.lower())
    if not name or not name[0].isalpha():
        name = "n" + name
    return name[:15]


def _node_names(netnses: list[str], prefix: str) -> dict[str, str]:
    """One lab name per namespace, distinct even where two namespaces sanitise alike."""
    out: dict[str, str] = {}
    for ns in netnses:
        base = _node_name(ns, prefix)
        name, n = base, 1
        while name in out.values():
            n += 1
            name = f"{base[: 15 - len(str(n)) - 1]}-{n}"
        out[ns] = name
    return out


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def _ruleset() -> str | None:
    """``nft list ruleset`` in this thread's namespace (None: empty, or nft is not installed)."""
    from .. import nft

    if nft.nft_path() is None:
        return None
    try:
        text = nft.list_ruleset()
    except (OSError, subprocess.SubprocessError):
        return None
    return text if text.strip() else None


def _block(text: str, indent: str) -> list[str]:
    """A ruleset as YAML: a literal block where YAML reads back exactly ``text``
    (printable lines, no trailing blanks), else one double-quoted (JSON) string."""
    lines = text.rstrip("\n").split("\n")
    plain = all(ln == ln.rstrip(" ") and all(c == "\t" or c.isprintable() for c in ln) for ln in lines)
    if plain and lines[0][:1] not in (" ", "\t", "") and text.endswith("\n") and not text.endswith("\n\n"):
        return ["|", *(f"{indent}{ln}" if ln else "" for ln in lines)]
    return [json.dumps(text)]


def _q(s: str) -> str:
    """A kernel-chosen string as a YAML scalar: plain where YAML reads it back
    as the same string, else double-quoted (a JSON string is a valid one)."""
    if _PLAIN.fullmatch(s) and s.lower() not in _YAML_WORDS:
        return s
    return json.dumps(s)


#: plain scalars YAML 1.1 (PyYAML) reads as something other than a string
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}


def check_names(names: Sequence[str]) -> None:
    """Only what `ip netns` accepts: a name of a namespace file directly under
    /run/netns (no '/', not '.' or '..'), and a network namespace it is."""
    for n in names:
        if not n or "/" in n or "\0" in n or n in (".", ".."):
            raise InputError(
                f"--netns {n!r} is not a namespace name: give a name as `ip netns list` shows it "
                f"(no '/', not '.' or '..'), one of the files in {nsutil.NETNS_RUN_DIR}"
            )
        p = nsutil.path(n)
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            raise InputError(
                f"no named network namespace {n!r} in {nsutil.NETNS_RUN_DIR} (see `ip netns list`)"
            ) from None
        except PermissionError:
            raise EnvironmentProblem(f"cannot read {nsutil.NETNS_RUN_DIR}: permission denied (run as root)") from None
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{p} is not a network namespace (see `ip netns list`)")
        try:
            fd = os.open(p, os.O_RDONLY | os.O_CLOEXEC)
        except PermissionError:
            raise EnvironmentProblem(f"cannot open {p}: permission denied (run as root)") from None
        try:
            kind = fcntl.ioctl(fd, NS_GET_NSTYPE)
        except OSError:
            kind = None
        finally:
            os.close(fd)
        if kind != nsutil.CLONE_NEWNET:
            raise InputError(f"{p} is not a network namespace (see `ip netns list`)")


NS_GET_NSTYPE = 0xB703


def _emitted(
    st: dict[str, Any], skip: set[tuple[str, int]], nics: set[tuple[str, int]]
) -> tuple[set[tuple[str, int]], dict[tuple[str, int], str]]:
    """The links the lab can describe, and why each other one is left out:
    not a kind vnetlab models, a name the lab format refuses, or a peer or
    parent that is itself left out or in a namespace not imported (dropping
    one may drop others). lo and a switch's insides (``skip``) are not
    links of the lab at all; a switch's far ends (``nics``) stand on their own."""
    keep: set[tuple[str, int]] = set()
    why: dict[tuple[str, int], str] = {}
    for ns, s in st.items():
        for i, ln in s["links"].items():
            if ln.name == "lo" or (ns, i) in skip:
                continue
            if ln.kind not in DECODERS and (ns, i) not in nics:
                why[(ns, i)] = f"kind {ln.kind or 'unknown'}: not one vnetlab models"
                continue
            try:
                check_ifname(ln.name)
            except ValueError as e:
                why[(ns, i)] = str(e)
                continue
            if problem := ifname_rule(ln.name):
                why[(ns, i)] = problem[1]
                continue
            keep.add((ns, i))
    while True:
        drop = {}
        for ns, i in keep:
            ln = st[ns]["links"][i]
            linked = DECODERS[ln.kind].LINKED if (ns, i) not in nics else None
            dep = (ln.link_ns, ln.link)
            if linked is not None and dep not in keep:
                drop[(ns, i)] = f"its {linked} is left out or in a namespace not imported"
        if not drop:
            return keep, why
        keep -= set(drop)
        why.update(drop)


_KINDS = set(DECODERS)
_CONF = (
    "net.ipv4.conf.",
    "net.ipv6.conf.",
)  # per-device keys (same length: one slice for both)  # the kernel's kinds a lab can describe


class _Decoding:
    """What a kernel adapter's ``decode`` asks about the link it reads (kinds.Decoding)."""

    def __init__(
        self,
        ns: str,
        links: dict[int, _Link],
        by_index: dict[tuple[str, int], _Link],
        ref: Callable[[str, _Link], str],
        emitted: set[tuple[str, int]],
    ) -> None:
        self.ns, self.links, self._by_index, self._ref, self._emitted = ns, links, by_index, ref, emitted

    def linked(self, ln: _Link) -> _Link:
        return self._by_index[(ln.link_ns, ln.link)]  # type: ignore[index]  # a linked kind's link (LINKED) is never None

    def ref(self, ln: _Link) -> str:
        return self._ref(self.ns, ln)

    def q(self, s: str) -> str:
        return _q(s)

    def emitted(self, index: int) -> bool:
        return (self.ns, index) in self._emitted


def to_lab(netnses: list[str], lab: str | None = None, machine: Any = None) -> str:
    """The namespaces as lab text that `vnetlab validate` accepts. With
    ``machine`` (a kernel.machine.Machine), namespaces are read from its
    paths and named its way, and the links it calls NICs are nics."""
    netnses = list(dict.fromkeys(netnses))
    st = read(netnses, machine.paths, machine.gone) if machine is not None else read(netnses)
    netnses = [ns for ns in netnses if ns in st]
    prefix = os.path.commonprefix(netnses)  # noqa: RUF071 - a name prefix, not a path
    prefix = prefix[: prefix.rfind("-") + 1] if "-" in prefix else ""
    lab_name = lab or (prefix.rstrip("-") if prefix else "imported")
    lab_name = re.sub(r"[^a-z0-9-]", "-", lab_name.lower())[:12] or "imported"
    if not lab_name[0].isalpha():
        lab_name = "l" + lab_name[:11]
    name = machine.names if machine is not None else _node_names(netnses, prefix)
    by_index = {(ns, i): ln for ns, s in st.items() for i, ln in s["links"].items()}

    def ref(from_ns: str, ln: _Link) -> str:
        return _q(ln.name if ln.ns == from_ns else f"{name[ln.ns]}/{ln.name}")

    # switches: a bridge, veth ports only, no addresses anywhere
    switches: dict[str, dict[str, Any]] = {}
    for ns, s in st.items():
        links = [ln for ln in s["links"].values() if ln.name != "lo"]
        bridges = [ln for ln in links if ln.kind == "bridge"]
        if len(bridges) != 1 or any(ln.addrs for ln in links if ln.kind != "bridge"):
            continue
        br = bridges[0]
        ports = [ln for ln in links if ln is not br]
        laid_out = br.name == "sw" and all(re.fullmatch(r"p\d+", ln.name) for ln in ports)  # as vnetlab makes a switch
        if (
            ports
            and laid_out
            and all(ln.kind == "veth" and ln.master == br.index and ln.link_ns not in (None, ns) for ln in ports)
        ):
            switches[ns] = {"bridge": br, "ports": ports}
    # a cable between two switches has no nic to stand for: such namespaces stay nodes
    for ns in [ns for ns, sw in switches.items() if any(p.link_ns in switches for p in sw["ports"])]:
        switches.pop(ns)
    if len(switches) == len(netnses):
        switches.clear()
    nic_of: dict[tuple[str, int], tuple[str, _Link]] = {}
    for ns, sw in switches.items():
        for p in sw["ports"]:
            nic_of[(p.link_ns, p.link)] = (ns, p)
    extra = machine.nics(st) if machine is not None else {}  # (ns, ifindex) -> switch: NICs of a real machine
    emitted, left_out = _emitted(st, {(ns, i) for ns in switches for i in st[ns]["links"]}, set(nic_of) | set(extra))

    out = [f"lab: {lab_name}", f"description: imported by vnetlab from {len(netnses)} network namespaces"]
    out += [f"# note: {json.dumps(n)[1:-1]}" for n in (machine.notes if machine is not None else [])]
    if switches or extra:
        out.append("switches:")
        for ns, sw in switches.items():
            addrs = sw["bridge"].addrs
            out.append(f"  {name[ns]}: {{" + (f"addresses: [{', '.join(addrs)}]" if addrs else "") + "}")
        out += [f"  {sw}: {{}}" for sw in dict.fromkeys(extra.values())]
    out.append("nodes:")
    for ns in netnses:
        if ns in switches:
            continue
        s = st[ns]
        ifl = []
        for ln in s["links"].values():
            if (ns, ln.index) not in emitted:
                continue
            fields: list[str] = []
            if (ns, ln.index) in extra:
                fields.append(f"kind: nic, switch: {extra[(ns, ln.index)]}")
                mac = ln.mac
            elif (ns, ln.index) in nic_of:
                sw_ns, port = nic_of[(ns, ln.index)]
                fields.append(f"kind: nic, switch: {name[sw_ns]}")
                fields += _port_fields(port)
                mac = ln.mac
            else:
                more, mac = DECODERS[ln.kind or ""].decode(ln, _Decoding(ns, s["links"], by_index, ref, emitted))
                fields += more
            if mac:
                fields.append(f'mac: "{mac}"')
            if ln.master and (ns, ln.master) in emitted and ((ns, ln.index) in nic_of or (ns, ln.index) in extra):
                fields.append(f"master: {_q(by_index[(ns, ln.master)].name)}")  # a nic's port options are the switch's
            elif ln.master and (ns, ln.master) in emitted:
                fields.append(f"master: {_q(by_index[(ns, ln.master)].name)}")
                fields += _port_fields(ln, by_index[(ns, ln.master)])
            if ln.mtu and ln.mtu != 1500:
                fields.append(f"mtu: {ln.mtu}")
            addrs = ln.addrs  # without those the kernel derives (link-local: `_kernel_made`)
            if addrs:
                fields.append(f"addresses: [{', '.join(addrs)}]")
            if not ln.up:
                fields.append("up: false")
            ifl.append(f"      {_q(ln.name)}: {{{', '.join(fields)}}}")
        devs = {by_index[(ns, i)].name for n, i in emitted if n == ns}
        routes = [rt for rt in s["routes"] if (rt["via"] or rt["dev"]) and rt["dev"] in (None, *devs)]
        neigh = [n for n in s["neigh"] if n["dev"] in devs]
        sysctl = {
            k: v
            for k, v in s["sysctl"].items()
            if not k.startswith(_CONF) or k[len(_CONF[0]) :].rsplit(".", 1)[0] in ("all", *devs)
        }
        body = []
        if ifl:
            body += ["    interfaces:", *ifl]
        if routes:
            body.append("    routes:")
            for rt in routes:
                parts = [f"to: {rt['to']}"] + [
                    f"{k}: {_q(rt[k]) if k == 'dev' else rt[k]}" for k in ("via", "dev", "metric") if rt[k] is not None
                ]
                body.append("      - {" + ", ".join(parts) + "}")
        if neigh:
            body.append("    neighbors:")
            for n in neigh:
                body.append(f'      - {{address: {n["address"]}, lladdr: "{n["lladdr"]}", dev: {_q(n["dev"])}}}')
        if sysctl:
            body.append("    sysctl: {" + ", ".join(f"{_q(k)}: {v}" for k, v in sysctl.items()) + "}")
        if s.get("nftables"):
            first, *rest = _block(s["nftables"], "      ")
            body += [f"    nftables: {first}", *rest]
        notes = [
            f"    # left out: {_q(s['links'][i].name)} ({json.dumps(reason)[1:-1]})"  # no control character
            for (n, i), reason in left_out.items()
            if n == ns
        ]
        out += [f"  {name[ns]}:", *notes, *body] if body else [f"  {name[ns]}: {{}}", *notes]  # only lo: no interfaces
    return "\n".join(out) + "\n"
