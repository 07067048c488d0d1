"""The importer on recorded netlink dumps: no root, no kernel.

tests/data/dumps/<lab>.json holds the raw rtnetlink replies a real kernel gave
`vnetlab import --all` for a built lab (recorded in a sandbox by
tools/record_dumps.py, as root), <lab>.imported.yaml what the importer
wrote from them then. Here the same bytes are fed back into the importer through
its reader (kernel/rtnl.Rtnl) and decoded by pyroute2 as live ones are: the lab
text must come out identical, validate, and simulate to the original lab's matrix.

The seam is the importer's own collaborators, swapped for the test only: the
namespace file and entry (nsutil.path, nsutil.inside_fd), the netlink reader
(rtnl.Rtnl), the /proc/sys reads (``open`` in importer) and the ruleset.
If the importer starts asking the kernel something new, the replay says which
request was not recorded: re-record (root): `.venv/bin/python tools/record_dumps.py`.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg
from pyroute2.netlink.rtnl.ndmsg import ndmsg

from tests.conftest import ROOT
from vnetlab import load, load_text, resolve
from vnetlab.kernel import importer, nsutil, rtnl
from vnetlab.sim import Simulator, sim_unsupported

DUMPS = sorted((ROOT / "tests" / "data" / "dumps").glob("*.json"))
RERECORD = "re-record with `.venv/bin/python tools/record_dumps.py` (root, sandboxed)"


def _decoded(cls: Any, hexes: list[str]) -> list[Any]:
    out = []
    for h in hexes:
        m = cls(bytes.fromhex(h))
        m.decode()
        out.append(m)
    return out


@contextlib.contextmanager
def _replaying(dump: dict[str, Any], tmp: Path, monkeypatch: pytest.MonkeyPatch):
    """The importer reads ``dump`` instead of the kernel: one stand-in file per namespace."""
    files = {}
    for ns in dump["netns"]:
        f = tmp / ns
        f.write_text("")
        files[ns] = f
    by_inode = {f.stat().st_ino: ns for ns, f in files.items()}
    cur: dict[str, Any] = {}

    def ns_of(fd: int) -> str:
        return by_inode[os.fstat(fd).st_ino]

    @contextlib.contextmanager
    def inside_fd(fd: int):
        cur["ns"] = dump["ns"][ns_of(fd)]
        yield

    class Replay(rtnl.Rtnl):
        def __init__(self) -> None:  # no socket: the namespace's recorded replies
            self.rec = cur["ns"]
            self._ipr = None

        def close(self) -> None:
            pass

        def _request(self, typ: int, flags: int, body: bytes) -> list[tuple[int, bytes]]:
            for q in self.rec["requests"]:
                if q["type"] == typ and q["body"] == body.hex():
                    return [(t, bytes.fromhex(raw)) for t, raw in q["replies"]]
            raise AssertionError(f"netlink request type {typ} body {body.hex()} was not recorded: {RERECORD}")

        def get_netnsid(self, fd: int) -> dict[str, Any] | None:
            nsid = self.rec["nsid"].get(ns_of(fd), "absent")
            assert nsid != "absent", f"RTM_GETNSID for {ns_of(fd)} was not recorded: {RERECORD}"
            return None if nsid is None else {"nsid": nsid}

        def get_vlans(self) -> Any:
            return _decoded(ifinfmsg, self.rec["vlans"])

        def fdb(self, cmd: str) -> Any:
            assert cmd == "dump"
            return _decoded(ndmsg, self.rec["fdb"])

    def fake_open(path: Any, *args: Any, **kw: Any) -> Any:
        files_read = cur["ns"]["files"]
        assert str(path) in files_read, f"{path} was not recorded: {RERECORD}"
        text = files_read[str(path)]
        if text is None:
            raise FileNotFoundError(2, "recorded as absent", str(path))
        import io

        return io.StringIO(text)

    monkeypatch.setattr(nsutil, "path", lambda ns: str(files[ns]))
    monkeypatch.setattr(nsutil, "inside_fd", inside_fd)
    monkeypatch.setattr(rtnl, "Rtnl", Replay)
    monkeypatch.setattr(importer, "open", fake_open, raising=False)  # shadows the builtin in importer only
    monkeypatch.setattr(importer, "_ruleset", lambda: cur["ns"].get("nftables"))
    yield


def _flat(m: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {(s, t): v for s, row in m["rows"].items() for t, v in row.items()}


def test_dumps_cover_the_kinds_the_issue_names() -> None:
    """macvlan/macvtap modes, bridge ports, veth across namespaces, vxlan with remotes, tap."""
    labs = {p.stem for p in DUMPS}
    assert {"macvlan-modes", "macvtap-modes", "bridge-port-flags", "veth-container", "vxlan-remotes"} <= labs
    assert "tap-bridge-kvm" in labs


@pytest.mark.parametrize("path", DUMPS, ids=lambda p: p.stem)
def test_replayed_dump_imports_the_lab(path, tmp_path, monkeypatch) -> None:
    dump = json.loads(path.read_text())
    want = path.with_suffix(".imported.yaml").read_text()
    with _replaying(dump, tmp_path, monkeypatch):
        text = importer.to_lab(dump["netns"])
    assert text == want, f"the importer reads the recorded kernel differently now (if intended: {RERECORD})"

    imported = resolve(load_text(text, "imported.yaml"))  # validates, or raises with FILE:LINE:COL
    original = resolve(load(ROOT / dump["lab"]))
    assert imported.lab.lab == original.lab.lab
    assert set(imported.lab.switches) == set(original.lab.switches)
    for key, i in original.ifaces.items():
        if i.implicit:
            continue
        got = imported.ifaces.get(key)
        assert got is not None, f"{key} not imported"
        assert (got.kind, getattr(got.spec, "mode", None), got.mac) == (i.kind, getattr(i.spec, "mode", None), i.mac)
        assert sorted(got.spec.addresses) == sorted(i.spec.addresses)
    if sim_unsupported(original.lab) or original.guests:
        return  # guests live in the lab file, not in the kernel
    assert _flat(Simulator(imported).matrix()) == _flat(Simulator(original).matrix())


def test_an_unrecorded_request_says_how_to_re_record(tmp_path, monkeypatch) -> None:
    """A replay never invents kernel state: a request missing from the dump fails, naming the fix."""
    dump = json.loads((ROOT / "tests" / "data" / "dumps" / "veth-container.json").read_text())
    for ns in dump["ns"].values():
        ns["requests"] = [q for q in ns["requests"] if q["type"] != rtnl.RTM_GETADDR]
    with _replaying(dump, tmp_path, monkeypatch), pytest.raises(AssertionError, match=r"tools/record_dumps\.py"):
        importer.to_lab(dump["netns"])
