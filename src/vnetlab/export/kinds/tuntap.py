"""tap and tun: `ip tuntap add`, then MAC and MTU set on the made device."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import link_spec, mode_label, owned, word

if TYPE_CHECKING:
    from ...plan import Step
    from ...resolve import Iface, Resolved

KINDS = ("tap", "tun")
BUILT_IN_PARENT_NS = False
NETWORK_KEYS: dict[str, str] = {}
dot_label = mode_label
netdev_owned = owned


def ip_link(r: Resolved, s: Step) -> list[str]:
    a = link_spec(s)
    out = [f"tuntap add dev {word(s.obj)} mode {a.kind}"]
    if a.mac:
        out.append(f"link set dev {word(s.obj)} address {a.mac}")
    if a.mtu:
        out.append(f"link set dev {word(s.obj)} mtu {a.mtu}")
    return out


def netdev(r: Resolved, i: Iface) -> list[str]:
    return ["", f"[{i.kind.capitalize()}]"]
