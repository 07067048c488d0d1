"""tap and tun: persistent devices made with the TUNSETIFF ioctl in the node's
namespace (pyroute2's tuntap façade); nobody holds the descriptor, so they
have no carrier until a guest attaches."""

from __future__ import annotations

import os
from typing import Any

from ...plan.steps import Step
from ._common import Decoding, Executor, link_spec


def link_args(step: Step, ex: Executor) -> tuple[str, dict[str, Any]]:
    return step.ns, {"ifname": step.obj, "kind": "tuntap", "mode": link_spec(step).kind, "ifr": {"no_pi": True}}


IOCTL = True  # created through /dev/net/tun inside the namespace, then addressed

KINDS = ("tap", "tun")
CONFIG = {"tap": "CONFIG_TUN", "tun": "CONFIG_TUN"}
DECODES = ("tun",)
LINKED = None


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    return os.path.exists("/dev/net/tun")


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    tap = ln.data.get("IFLA_TUN_TYPE", 2) == 2
    return ["kind: tap" if tap else "kind: tun"], ln.mac if tap else None
