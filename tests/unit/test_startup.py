"""Start-up: a command imports only what it runs (the modules each process
really imported, as the interpreter reports them with -X importtime)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

LAB = str(ROOT / "labs" / "macvlan-modes.yaml")


def _imported(*args: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}  # a measured child imports more
    p = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vnetlab", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    return {ln.rsplit("|", 1)[1].strip() for ln in p.stderr.splitlines() if ln.startswith("import time:")}


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["matrix", "--help"]], ids=" ".join)
def test_help_and_version_load_neither_pydantic_nor_the_model(args: list[str]) -> None:
    mods = _imported(*args)
    assert "click" in mods
    heavy = {"pydantic", "vnetlab.model", "vnetlab.load", "vnetlab.sim", "rich", "yaml", "ruamel.yaml", "dpkt"}
    assert not heavy & mods
    # what the commands import when they run (a few ms each, measured by benchmarks/bench_startup.py)
    assert not {"pathlib", "json", "subprocess", "vnetlab.errors"} & mods


def test_validate_and_trace_skip_what_they_do_not_run() -> None:
    v = _imported("validate", LAB)
    assert "vnetlab.load" in v and not {"vnetlab.sim", "vnetlab.kernel", "dpkt", "rich"} & v
    # ruamel.yaml composes only what libyaml refuses; difflib makes hints; nft checks rulesets (none here)
    assert not {"ruamel.yaml", "difflib", "vnetlab.nft", "subprocess"} & v
    t = _imported("trace", LAB, "b1", "b2")
    assert "vnetlab.sim" in t and not {"vnetlab.kernel", "dpkt", "dask"} & t


def test_the_api_names_are_there_on_first_use() -> None:
    code = (
        "import sys, vnetlab; assert 'pydantic' not in sys.modules; "
        "assert callable(vnetlab.load) and callable(vnetlab.resolve) and callable(vnetlab.check); "
        "import vnetlab.load, vnetlab.resolve, vnetlab.check; "
        "assert callable(vnetlab.load) and callable(vnetlab.resolve) and callable(vnetlab.check); "
        "assert vnetlab.Lab.__name__ == 'Lab' and 'load' in dir(vnetlab)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
