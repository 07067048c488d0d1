"""Record the raw rtnetlink replies `vnetlab import` reads from a built lab, for the
pure-tier replay test (tests/unit/test_import_dumps.py).

    .venv/bin/python tools/record_dumps.py [LAB.yaml ...]     # as root; default: DEFAULT_LABS

Each lab is built on the real kernel inside a throw-away sandbox (vnetlab's own,
kernel/sandbox.py: nothing is created in this machine's namespaces), then imported
with the importer's netlink reader wrapped so that every request's raw replies are
kept. Written to tests/data/dumps/<lab>.json:

    {"lab": "labs/x.yaml", "kernel": uname -r, "netns": [...],
     "ns": {NS: {"requests": [{"type": RTM_*, "body": hex, "replies": [[type, hex], ...]}],
                 "nsid": {OTHER_NS: nsid or null},      # RTM_GETNSID, by the namespace asked about
                 "vlans": [hex, ...], "fdb": [hex, ...], # the IPRoute dumps (AF_BRIDGE), raw
                 "files": {"/proc/sys/...": text or null}, "nftables": text or null}}}

and tests/data/dumps/<lab>.imported.yaml: the lab text the importer wrote from the live
kernel (as `import --all`), which the replay must reproduce byte for byte.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "dumps"
DEFAULT_LABS = [
    "macvlan-modes",  # macvlan bridge/private/vepa on one parent, a bridge with a hairpin port
    "macvtap-modes",  # macvtap modes
    "macvlan-passthru-source",  # passthru and source modes
    "bridge-port-flags",  # bridge ports: hairpin, learning, flood
    "veth-container",  # veth across namespaces (link-netnsid -> RTM_GETNSID)
    "vxlan-remotes",  # vxlan with several remotes (all-zero FDB entries)
    "tap-bridge-kvm",  # tap on a bridge
    "router",  # routes, forwarding sysctls
    "v6-routed",  # IPv6: kernel-made link-locals and routes left out, all.forwarding, a link-local gateway
    "v6-bridge",  # IPv6 switches: their ports' link-local addresses do not make them nodes
]


def raw_of(msg: Any) -> str:
    """A pyroute2 message's own bytes, as hex."""
    length = msg["header"]["length"]
    return bytes(msg.data[msg.offset : msg.offset + length]).hex()


def _record(lab_path: str) -> dict[str, Any]:
    """In the sandbox: build the lab, import it through a recording reader."""
    from vnetlab import load, resolve
    from vnetlab.kernel import KernelLab, importer, nsutil, rtnl

    r = resolve(load(lab_path))
    KernelLab(r).up()
    netnses = nsutil.list_names()  # as `vnetlab import --all`: switches live in namespaces of their own
    inode_ns = {os.stat(nsutil.path(ns)).st_ino: ns for ns in netnses}
    rec: dict[str, Any] = {}
    cur: dict[str, Any] = {}

    real_inside, real_open, real_ruleset = nsutil.inside_fd, open, importer._ruleset

    @contextlib.contextmanager
    def inside_fd(fd: int):
        ns = inode_ns[os.fstat(fd).st_ino]
        cur["ns"] = rec.setdefault(ns, {"requests": [], "nsid": {}, "vlans": [], "fdb": [], "files": {}})
        with real_inside(fd):
            yield

    class Recording(rtnl.Rtnl):
        def _request(self, typ: int, flags: int, body: bytes) -> list[tuple[int, bytes]]:
            out = super()._request(typ, flags, body)
            if typ != rtnl.RTM_GETNSID:
                cur["ns"]["requests"].append(
                    {"type": typ, "body": body.hex(), "replies": [[t, raw.hex()] for t, raw in out]}
                )
            return out

        def get_netnsid(self, fd: int) -> dict[str, Any] | None:
            res = super().get_netnsid(fd)
            cur["ns"]["nsid"][inode_ns[os.fstat(fd).st_ino]] = res["nsid"] if res else None
            return res

        def get_vlans(self) -> Any:
            msgs = list(super().get_vlans())
            cur["ns"]["vlans"] = [raw_of(m) for m in msgs]
            return msgs

        def fdb(self, cmd: str) -> Any:
            msgs = list(super().fdb(cmd))
            cur["ns"]["fdb"] = [raw_of(m) for m in msgs]
            return msgs

    def recording_open(path: Any, *args: Any, **kw: Any) -> Any:
        try:
            with real_open(path, *args, **kw) as f:
                text = f.read()
        except OSError:
            cur["ns"]["files"][str(path)] = None
            raise
        cur["ns"]["files"][str(path)] = text
        return real_open(path, *args, **kw)

    def ruleset() -> str | None:
        text = real_ruleset()
        cur["ns"]["nftables"] = text
        return text

    nsutil.inside_fd = inside_fd  # this process is the sandbox's: it ends after this call
    rtnl.Rtnl = Recording  # type: ignore[misc]
    importer.open = recording_open  # type: ignore[attr-defined]  # shadows the builtin in importer only
    importer._ruleset = ruleset
    imported = importer.to_lab(netnses)
    return {"kernel": os.uname().release, "netns": netnses, "ns": rec, "imported": imported}


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from vnetlab.kernel import preflight, sandbox

    labs = [Path(a) for a in argv] or [ROOT / "labs" / f"{n}.yaml" for n in DEFAULT_LABS]
    OUT.mkdir(parents=True, exist_ok=True)
    for path in labs:
        from vnetlab import load, resolve

        missing = [
            k for k, ok in preflight.supported(sorted(preflight.lab_kinds(resolve(load(path))))).items() if not ok
        ]
        if missing:
            print(f"{path.stem}: skipped, this kernel lacks {', '.join(missing)}", file=sys.stderr)
            continue
        data = sandbox.run(_record, str(path))
        rel = str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
        dest = OUT / f"{path.stem}.json"
        imported = data.pop("imported")
        dest.write_text(json.dumps({"lab": rel, **data}, indent=1, sort_keys=True) + "\n")
        (OUT / f"{path.stem}.imported.yaml").write_text(imported)
        n = sum(len(q["replies"]) for ns in data["ns"].values() for q in ns["requests"])
        print(f"{path.stem}: {len(data['ns'])} namespaces, {n} netlink replies -> {dest.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
