"""`vnetlab import` runs in a process of its own: what it decodes must not
depend on another module having been imported first (the ipvlan flag came
back as "bridge" for every child when only the importer was loaded)."""

from __future__ import annotations

import subprocess
import sys

_PROBE = r"""
from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg
from vnetlab.kernel import importer as imp
from vnetlab.kernel import rtnl

msg = ifinfmsg()
msg["family"] = 0
msg["attrs"] = [
    ("IFLA_IFNAME", "ipv0"),
    ("IFLA_LINKINFO", {"attrs": [("IFLA_INFO_KIND", "ipvlan"),
        ("IFLA_INFO_DATA", {"attrs": [("IFLA_IPVLAN_MODE", 0), ("IFLA_IPVLAN_FLAGS", @FLAG@)]})]}),
]
msg.encode()
raw = bytes(msg.data)
back = ifinfmsg(rtnl._stripped(raw, 16))  # as the lean reader keeps it
back.decode()
data = back.get_attr("IFLA_LINKINFO").get_attr("IFLA_INFO_DATA")
dec = imp.DECODERS["ipvlan"]
print(dec._MODE_NAMES[data.get_attr("IFLA_IPVLAN_MODE")], dec._FLAG_NAMES[data.get_attr("IFLA_IPVLAN_FLAGS")])
"""


def test_importer_alone_decodes_the_ipvlan_flag() -> None:
    for flag, name in ((0, "bridge"), (1, "private"), (2, "vepa")):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.replace("@FLAG@", str(flag))], capture_output=True, text=True, check=True
        ).stdout.split()
        assert out == ["l2", name]
