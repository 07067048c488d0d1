"""dummy: a device with no link (drivers/net/dummy.c, CONFIG_DUMMY); MAC and MTU explicit."""

from __future__ import annotations

from typing import Any

from ...plan.steps import Step
from ._common import Decoding, Executor, link_spec

KINDS = ("dummy",)
CONFIG = {"dummy": "CONFIG_DUMMY"}
DECODES = ("dummy",)
LINKED = None


def link_args(step: Step, ex: Executor) -> tuple[str, dict[str, Any]]:
    a = link_spec(step)
    kw: dict[str, Any] = {"ifname": step.obj, "kind": "dummy", "address": a.mac}
    if a.mtu:
        kw["mtu"] = a.mtu
    return step.ns, kw


def probe(h: Any, base: int, name: str, kind: str) -> bool:
    h.link("add", ifname=name, kind="dummy")
    return True


def decode(ln: Any, d: Decoding) -> tuple[list[str], str | None]:
    return ["kind: dummy"], ln.mac
