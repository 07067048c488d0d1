"""Ownership: which namespaces belong to which lab, read from live state alone.

A lab namespace is named ``<lab>-<name>`` and its ``lo`` carries the alias
``vnetlab:<lab>:<name>[:<fingerprint>]``. `down` removes only namespaces
that carry that mark, so it works after a crash or a kill -9 half-way
through `up` (no state file), and never touches anything else.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from pyroute2 import IPRoute

from . import nsutil


@dataclass(frozen=True)
class Mark:
    netns: str
    lab: str
    name: str
    fingerprint: str | None


def read_mark(netns: str) -> Mark | None:
    """The vnetlab mark on a namespace's lo, or None if it is not ours."""
    try:
        with nsutil.inside(netns), IPRoute() as h:
            links = h.get_links(*h.link_lookup(ifname="lo"))
    except OSError:
        return None
    if not links:
        return None
    alias = links[0].get_attr("IFLA_IFALIAS") or ""
    parts = alias.split(":")
    if len(parts) < 3 or parts[0] != "vnetlab":
        return None
    if not netns.startswith(parts[1] + "-"):
        return None
    return Mark(netns, parts[1], parts[2], parts[3] if len(parts) > 3 else None)


def owned(lab: str | None = None) -> list[Mark]:
    out = []
    for name in nsutil.list_names():
        if lab is not None and not name.startswith(lab + "-"):
            continue
        m = read_mark(name)
        if m is not None and (lab is None or m.lab == lab):
            out.append(m)
    return out


def set_fingerprint(netns: str, lab: str, name: str, fp: str) -> None:
    with nsutil.inside(netns), IPRoute() as h:
        h.link("set", index=h.link_lookup(ifname="lo")[0], ifalias=f"vnetlab:{lab}:{name}:{fp}")


def down(lab: str) -> list[str]:
    """Remove every namespace marked as ``lab``'s; returns their names."""
    from .sandbox import guard

    guard()
    removed = []
    for m in owned(lab):
        with contextlib.suppress(OSError):
            nsutil.remove(m.netns)
            removed.append(m.netns)
    return removed
