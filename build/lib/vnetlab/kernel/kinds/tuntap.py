"""tap and tun: persistent devices made with the TUNSETIFF ioctl in the node's
namespace (pyroute2's tuntap façade); nobody holds the descriptor, so they
have no carrier until a guest attaches."""

from __future__ import annotations

from typing import Any


def link_args(step: Any, ex: Any) -> tuple[str, dict[str, Any]]:
    a = step.args
    return step.ns, {"ifname": step.obj, "kind": "tuntap", "mode": a["kind"], "ifr": {"no_pi": True}}


IOCTL = True  # created through /dev/net/tun inside the namespace, then addressed
