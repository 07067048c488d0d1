"""`vnetlab import` reads a running lab back: the result validates, describes
the same interfaces, and the simulator finds the same reachability in it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import LABS
from vnetlab import load, load_text, resolve
from vnetlab.kernel import KernelLab
from vnetlab.sim import Simulator

from .conftest import missing_kinds


def _up_and_import(path: str) -> str:
    KernelLab(resolve(load(path))).up()
    return subprocess.run(
        [sys.executable, "-m", "vnetlab", "import", "--all"], capture_output=True, text=True, check=True
    ).stdout


def _ifaces(r) -> set:
    out = set()
    for i in r.ifaces.values():
        if i.implicit:
            continue
        out.add(
            (i.node, i.name, i.kind, getattr(i.spec, "mode", None), i.mac, tuple(sorted(i.spec.addresses)), i.spec.up)
        )
    return out


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_import_round_trip(path, in_sandbox) -> None:
    if missing_kinds(path):
        pytest.skip("this kernel lacks a kind the lab uses")
    original = resolve(load(path))
    text = in_sandbox(_up_and_import, str(path))
    imported = resolve(load_text(text, "imported.yaml"))
    assert imported.lab.lab == original.lab.lab
    assert set(imported.lab.switches) == set(original.lab.switches)
    assert _ifaces(imported) == _ifaces(original)
    a, b = Simulator(original).matrix(), Simulator(imported).matrix()
    if not original.guests:  # guests live in the lab file, not in the kernel
        flat = lambda m: {(s, t): v for s, row in m["rows"].items() for t, v in row.items()}  # noqa: E731
        assert flat(a) == flat(b)
