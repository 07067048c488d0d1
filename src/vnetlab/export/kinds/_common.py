"""What every export adapter shares: batch words and the default parts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ...plan.steps import LinkSpec, Step

if TYPE_CHECKING:
    from ...resolve import Iface, Resolved

T = TypeVar("T")

#: what every module of this package defines (the parity test checks each)
ADAPTER_ATTRS = ("KINDS", "ip_link", "BUILT_IN_PARENT_NS", "netdev", "netdev_owned", "NETWORK_KEYS", "dot_label")


def word(v: object) -> str:
    """One word of an `ip -batch` line, refused if the batch reader would split or cut it."""
    w = str(v)
    if not w or any(c in w for c in "#\"'\\") or not w.isprintable() or any(c.isspace() for c in w):
        raise ValueError(f"{w!r} cannot be written into an ip -batch line")
    return w


def mac_mtu(s: Step) -> tuple[str, str]:
    """The ` address …` and ` mtu …` parts of a link step's `ip link add`."""
    a = link_spec(s)
    mac = f" address {a.mac}" if a.mac else ""
    mtu = f" mtu {a.mtu}" if a.mtu else ""
    return mac, mtu


def on_parent(r: Resolved, s: Step, type_args: str) -> str:
    """`link add name OBJ link PARENT [address MAC] [mtu MTU] [netns NS] type TYPE_ARGS`: a
    child device, made on its parent (in the parent's namespace, moved where that is not its own)."""
    mac, mtu = mac_mtu(s)
    return f"link add name {word(s.obj)} link {word(link_spec(s).parent)}{mac}{mtu}{moved(r, s)} type {type_args}"


def typed(v: object, cls: type[T]) -> T:
    """``v``, checked to be a ``cls`` (an adapter is reached through its own kinds only)."""
    assert isinstance(v, cls), v
    return v


def moved(r: Resolved, s: Step) -> str:
    """` netns NS` where a child is made in its parent's namespace and then moved to its own."""
    return f" netns {word(r.netns(s.ns))}" if link_spec(s).parent_ns != s.ns else ""


def mode_label(i: Iface) -> str:
    """The kind, and its mode where it has one."""
    mode: Any = getattr(i.spec, "mode", None)
    return i.kind + (f" {mode}" if mode else "")


def owned(r: Resolved, i: Iface) -> bool:
    return True


def link_spec(s: Step) -> LinkSpec:
    assert isinstance(s.spec, LinkSpec), s
    return s.spec
