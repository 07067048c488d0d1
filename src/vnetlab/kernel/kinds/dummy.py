"""dummy: a device with no link (drivers/net/dummy.c, CONFIG_DUMMY); MAC and MTU explicit."""

from __future__ import annotations

from typing import Any

from ._common import Decoding

KINDS = ("dummy",)
CONFIG = {"dummy": "CONFIG_DUMMY"}
DECODES = ("dummy",)
LINKED = None


def link_args(step: Any, ex: Any) -> tuple[str, dict[str, Any]]:
    a = step.args
    kw: dict[str, Any] = {"ifname": step.obj, "kind": "dummy", "address": a["mac"]}
    if a.get("mtu"):
        kw["mtu"] = a["mtu"]
    return step.ns, kw


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    h.link("add", ifname=name, kind="dummy")
    return True


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    return ["kind: dummy"], ln.mac
