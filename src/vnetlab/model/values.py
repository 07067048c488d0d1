"""Value types of the lab format: names, MACs, addresses, VLAN ids.

Each type is a plain ``str`` or ``int`` checked by a validator, so the model
stays JSON-shaped data; the validators normalise (lower-case MACs,
canonical CIDRs) so that two spellings of one value compare equal.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr

Bool = StrictBool
Int = StrictInt

_LAB_RE = re.compile(r"[a-z][a-z0-9-]{0,11}")
_NAME_RE = re.compile(r"[a-z][a-z0-9_-]{0,14}")
_MAC_RE = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")


def _lab_name(v: str) -> str:
    if not _LAB_RE.fullmatch(v):
        raise ValueError(f"lab name {v!r} must match [a-z][a-z0-9-]{{0,11}}: it prefixes every kernel object")
    return v


def _name(v: str) -> str:
    if not _NAME_RE.fullmatch(v):
        raise ValueError(f"name {v!r} must match [a-z][a-z0-9_-]{{0,14}}")
    return v


def check_ifname(v: str) -> str:
    """The kernel's own rule (dev_valid_name): bytes, not characters."""
    n = len(v.encode())
    if n == 0 or n > 15:
        raise ValueError(f"interface name {v!r} is {n} bytes; the kernel allows 1 to 15")
    if v in (".", ".."):
        raise ValueError(f"interface name {v!r} is not allowed")
    if any(c in v for c in "/:") or any(c.isspace() for c in v):
        raise ValueError(f"interface name {v!r} must not contain '/', ':' or whitespace")
    if 0xA0 in v.encode():
        # the kernel's isspace() is Latin-1: byte 0xa0 (no-break space) is whitespace to it,
        # and UTF-8 puts it inside characters such as 'à' (c3 a0): EINVAL
        raise ValueError(
            f"interface name {v!r} contains the byte 0xa0 (e.g. in 'à'), which the kernel counts as whitespace"
        )
    return v


#: what `ip -batch` cannot carry in a word: '#' starts a comment even inside quotes, and a quote has no escape
#: (quotes and backslashes are refused with it so no export format has to guess how a reader treats them)
BATCH_UNSAFE = "#\"'\\"


def ifname_rule(name: str) -> tuple[str, str] | None:
    """(rule id, message) for a name the kernel reserves or the ip export cannot express, or None.
    One rule for validation (check.py) and for what import may write (kernel/importer.py)."""
    if name in ("lo", "all", "default"):
        why = (
            "every namespace already has its loopback 'lo' (the kernel answers EEXIST)"
            if name == "lo"
            else f"{name!r} is the name of a sysctl directory (net.ipv4.conf.{name}); the kernel answers EINVAL"
        )
        return "ifname-reserved", f"interface name {name!r} is reserved: {why}"
    if "%" in name:
        return (
            "ifname-reserved",
            f"interface name {name!r} contains '%': the kernel reads it as a template ('a%d' becomes 'a0', anything else is EINVAL)",
        )
    if any(ch in BATCH_UNSAFE for ch in name) or not name.isprintable():
        return (
            "ifname-unsafe",
            f"interface name {name!r} contains a quote, '#', a backslash or a control character: "
            "the kernel takes it, but `ip -batch` (the ip export) cannot express it",
        )
    return None


def _mac(v: str) -> str:
    if not _MAC_RE.fullmatch(v):
        raise ValueError(f"{v!r} is not a MAC address (xx:xx:xx:xx:xx:xx)")
    v = v.lower()
    if int(v[:2], 16) & 1:
        raise ValueError(f"MAC {v} is a multicast address; an interface needs a unicast MAC")
    if v == "00:00:00:00:00:00":
        raise ValueError("MAC 00:00:00:00:00:00 is not a valid interface address")
    return v


def _cidr(v: str) -> str:
    if "/" not in v:
        raise ValueError(f"{v!r} needs a prefix length, e.g. {v}/24")
    try:
        iface = ipaddress.ip_interface(v)
    except ValueError:
        raise ValueError(f"{v!r} is not an IPv4 or IPv6 address with prefix length") from None
    return str(iface)


def _ip(v: str) -> str:
    try:
        return str(ipaddress.ip_address(v))
    except ValueError:
        raise ValueError(f"{v!r} is not an IPv4 or IPv6 address") from None


def _route_dst(v: str) -> str:
    if v == "default":
        return v
    try:
        return str(ipaddress.ip_network(v, strict=True))
    except ValueError as e:
        raise ValueError(f"route destination {v!r} must be 'default' or a network CIDR ({e})") from None


def _ref(v: str) -> str:
    parts = v.split("/")
    if len(parts) > 2:
        raise ValueError(f"reference {v!r} must be IFNAME or NODE/IFNAME")
    if len(parts) == 2:
        _name(parts[0])
    check_ifname(parts[-1])
    return v


def _vid_range(v: int | str) -> int | str:
    if isinstance(v, int):
        if not 1 <= v <= 4094:
            raise ValueError(f"VLAN id {v} is outside 1..4094")
        return v
    m = re.fullmatch(r"(\d+)-(\d+)", v)
    if not m or not (1 <= int(m[1]) <= int(m[2]) <= 4094):
        raise ValueError(f"VLAN range {v!r} must be 'a-b' with 1 <= a <= b <= 4094")
    return v


LabName = Annotated[StrictStr, AfterValidator(_lab_name)]
Name = Annotated[StrictStr, AfterValidator(_name)]
IfName = Annotated[StrictStr, AfterValidator(check_ifname)]
Ref = Annotated[StrictStr, AfterValidator(_ref)]
Mac = Annotated[StrictStr, AfterValidator(_mac)]
Cidr = Annotated[StrictStr, AfterValidator(_cidr)]
IP = Annotated[StrictStr, AfterValidator(_ip)]
RouteDst = Annotated[StrictStr, AfterValidator(_route_dst)]
Vid = Annotated[StrictInt, Field(ge=1, le=4094)]
VidRange = Annotated[StrictInt | StrictStr, AfterValidator(_vid_range)]
Mtu = Annotated[StrictInt, Field(ge=68, le=65535)]
Vni = Annotated[StrictInt, Field(ge=0, le=16777215)]
Port = Annotated[StrictInt, Field(ge=1, le=65535)]
#: RTA_PRIORITY is a u32 (`ip route` refuses -1 and 2^32 as "metric value is invalid")
Metric = Annotated[StrictInt, Field(ge=0, le=2**32 - 1)]
