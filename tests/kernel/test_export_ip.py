"""`export --format ip` builds the same lab as `vnetlab up`: run the script in one
sandbox and `up` in another, and compare what `ip -json` reads back."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import LABS
from vnetlab import load, resolve
from vnetlab.kernel import KernelLab

from .conftest import ip_json, missing_kinds, netns_list


def _state(names: list[str]) -> dict:
    out = {}
    for ns in names:
        links = {}
        for ln in ip_json(ns, "-d", "link", "show"):
            info = ln.get("linkinfo", {})
            data = info.get("info_data", {})
            links[ln["ifname"]] = {
                "kind": info.get("info_kind"),
                "mac": ln.get("address"),
                "master": ln.get("master"),
                "up": "UP" in ln.get("flags", []),
                "mtu": ln.get("mtu"),
                "mode": data.get("mode"),
                "alias": ln.get("ifalias", "").split(":")[:3] or None,
                "hairpin": info.get("info_slave_data", {}).get("hairpin"),
                "vni": data.get("id"),
                "port": data.get("port"),
            }
        addrs = sorted(
            (a["ifname"], f"{i['local']}/{i['prefixlen']}") for a in ip_json(ns, "addr", "show") for i in a["addr_info"]
        )
        routes = sorted(
            (r.get("dst"), r.get("gateway"), r.get("dev"), r.get("metric")) for r in ip_json(ns, "route", "show")
        )
        neigh = sorted(
            (n["dst"], n.get("lladdr"), n["dev"])
            for n in ip_json(ns, "neigh", "show")
            if "PERMANENT" in n.get("state", [])
        )
        ruleset = subprocess.run(
            ["ip", "netns", "exec", ns, "nft", "list", "ruleset"], capture_output=True, text=True, check=True
        ).stdout
        bridge_nf = subprocess.run(
            ["ip", "netns", "exec", ns, "sh", "-c", "cat /proc/sys/net/bridge/bridge-nf-call-* 2>/dev/null || true"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        out[ns] = {
            "links": links,
            "addrs": addrs,
            "routes": routes,
            "neigh": neigh,
            "nft": ruleset,
            "bridge_nf": bridge_nf,
        }
    return out


def _by_script(path: str) -> dict:
    script = subprocess.run(
        [sys.executable, "-m", "vnetlab", "export", path, "--format", "ip"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(["sh", "-c", script], check=True, capture_output=True)
    return _state(netns_list())


def _by_up(path: str) -> dict:
    KernelLab(resolve(load(path))).up()
    return _state(netns_list())


#: issue #13, not done yet: the IPv6 round trip through the ip script (the script does not wait
#: for carrier and DAD as `up` does; import does not read IPv6 forwarding and link-local routes)
V6_GAP = tuple(p.name for p in LABS if p.name.startswith("v6-"))


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason="#13: IPv6 round trip not done yet", strict=False))
        if p.name in V6_GAP
        else p
        for p in LABS
    ],
    ids=lambda p: p.name,
)
def test_ip_script_builds_what_up_builds(path, in_sandbox) -> None:
    missing = missing_kinds(path)
    if missing:
        pytest.skip(f"this kernel lacks {', '.join(missing)}")
    a = in_sandbox(_by_script, str(path))
    b = in_sandbox(_by_up, str(path))
    assert a.keys() == b.keys()
    for ns in a:
        assert a[ns] == b[ns], ns
