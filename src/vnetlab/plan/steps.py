"""The closed set of step records a plan is made of.

A step is plain data: what to do (``op``), in which lab namespace (``ns``,
a node or switch name), to which object, with which attributes. The kernel
backend executes them; ``vnetlab plan`` prints them; tests compare them.

ops: netns, link, port, sysctl, addr, up, route, neigh, nft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=True)
class Step:
    op: str
    ns: str
    obj: str
    args: dict[str, Any] = field(default_factory=dict, hash=False)

    def describe(self) -> str:
        a = self.args
        if self.op == "netns":
            return f"create namespace {a['netns']}"
        if self.op == "link":
            extra = " ".join(
                f"{k} {v}" for k, v in a.items() if k not in ("kind", "mac", "alias") and v not in (None, False, (), "")
            )
            mac = f" address {a['mac']}" if a.get("mac") else ""
            return f"add {a['kind']} {self.obj}{mac}" + (f" ({extra})" if extra else "")
        if self.op == "port":
            opts = ", ".join(f"{k}={v}" for k, v in a.items() if k != "master")
            return f"set {self.obj} master {a['master']}" + (f" [{opts}]" if opts else "")
        if self.op == "sysctl":
            return f"sysctl {self.obj}={a['value']}"
        if self.op == "addr":
            return f"add address {a['address']} dev {self.obj}"
        if self.op == "up":
            return f"set {self.obj} up"
        if self.op == "route":
            via = f" via {a['via']}" if a.get("via") else ""
            dev = f" dev {a['dev']}" if a.get("dev") else ""
            metric = f" metric {a['metric']}" if a.get("metric") is not None else ""
            return f"add route {self.obj}{via}{dev}{metric}"
        if self.op == "neigh":
            return f"add neighbour {self.obj} lladdr {a['lladdr']} dev {a['dev']} nud permanent"
        if self.op == "nft":
            n = len(a["ruleset"].splitlines())
            return f"load nftables ruleset ({n} line{'s' if n != 1 else ''}, nft -f -)"
        return f"{self.op} {self.obj}"

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, "ns": self.ns, "obj": self.obj, "args": dict(self.args), "text": self.describe()}
