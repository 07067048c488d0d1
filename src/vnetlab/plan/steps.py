"""The closed set of step records a plan is made of.

A step is plain data: what to do (``op``), in which lab namespace (``ns``,
a node or switch name), to which object, with which attributes. The kernel
backend executes them; ``vnetlab plan`` prints them; tests compare them.

ops: netns, link, port, sysctl, addr, up, route, neigh, nft.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..model.stepspec import KindFields, StepSpec, falsy, opt


@dataclass(frozen=True)
class NetnsSpec(StepSpec):
    netns: str
    alias: str


@dataclass(frozen=True)
class LinkSpec(StepSpec):
    """A device: the fields every kind has, then the kind's own (``fields``), then the peer of a veth or nic."""

    kind: str
    mac: str | None = opt()
    mtu: int | None = opt()
    parent: str | None = opt()
    parent_ns: str | None = opt()
    fields: KindFields = field(default_factory=KindFields)
    alias: str | None = opt()
    peer: str | None = opt()
    peer_ns: str | None = opt()
    peer_mac: str | None = opt()
    peer_mtu: int | None = opt()


@dataclass(frozen=True)
class PortSpec(StepSpec):
    """A bridge port: its master and the flags that differ from enslaving's defaults.
    ``pvid``/``default_pvid`` are set where the port has VLAN settings (then its
    membership replaces the bridge's default PVID)."""

    master: str
    hairpin: bool = opt(False, falsy)
    learning: bool = opt(True, bool)
    flood: bool = opt(True, bool)
    pvid: int | None = opt()
    untagged: bool = opt(True, bool)
    vlans: tuple[int | str, ...] = opt((), falsy)
    default_pvid: int | None = opt()
    #: the lab gave ``pvid`` (else it is the bridge's default, written after the other flags)
    pvid_given: bool = field(default=False, metadata={"omit": lambda v: True}, compare=False)  # never written

    def as_args(self) -> dict[str, Any]:
        out = super().as_args()
        if self.pvid is not None and not self.pvid_given:  # as the plan always wrote it
            out["pvid"] = out.pop("pvid")
            out["default_pvid"] = out.pop("default_pvid")
        return out

    @property
    def has_vlans(self) -> bool:
        return self.pvid is not None


@dataclass(frozen=True)
class SysctlSpec(StepSpec):
    value: int | str


@dataclass(frozen=True)
class AddrSpec(StepSpec):
    address: str


@dataclass(frozen=True)
class UpSpec(StepSpec):
    pass


@dataclass(frozen=True)
class RouteSpec(StepSpec):
    via: str | None
    dev: str | None
    metric: int | None


@dataclass(frozen=True)
class NeighSpec(StepSpec):
    lladdr: str
    dev: str


@dataclass(frozen=True)
class NftSpec(StepSpec):
    ruleset: str


@dataclass(frozen=True, eq=True)
class Step:
    op: str
    ns: str
    obj: str
    spec: StepSpec = field(default_factory=UpSpec, hash=False)

    @property
    def args(self) -> dict[str, Any]:
        """The spec's plain form (what ``plan --json`` prints)."""
        return self.spec.as_args()

    def with_spec(self, **changes: Any) -> Step:
        return replace(self, spec=replace(self.spec, **changes))

    def describe(self) -> str:
        a = self.spec.as_args()
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
        return {"op": self.op, "ns": self.ns, "obj": self.obj, "args": self.spec.as_args(), "text": self.describe()}
