"""Start-up: a command imports only what it runs (the modules each process
really imported, as the interpreter reports them with -X importtime)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

LAB = str(ROOT / "labs" / "macvlan-modes.yaml")
VETH = str(ROOT / "labs" / "veth-container.yaml")


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
    # the plan's step records are for the backends: validate needs only plan.routes
    assert "vnetlab.plan.routes" in v and not {"vnetlab.plan.build", "vnetlab.plan.steps"} & v
    t = _imported("trace", LAB, "b1", "b2")
    assert "vnetlab.sim" in t and not {"vnetlab.kernel", "dpkt", "dask"} & t
    # nft runs only for a lab with rulesets (none here)
    assert "subprocess" not in t


def _lifecycle_imports() -> dict[str, object]:
    """In a sandbox: the veth lab up (in this process), then `list`, `status` and `down` as users run them."""
    from vnetlab import load, resolve
    from vnetlab.kernel import KernelLab, nsutil

    KernelLab(resolve(load(VETH))).up()
    got: dict[str, object] = {cmd[0]: _imported(*cmd) for cmd in (["list"], ["status", "nspawn"], ["down", "nspawn"])}
    got["left"] = [ns for ns in ("nspawn-host", "nspawn-web") if nsutil.exists(ns)]
    return got


def _can_sandbox() -> bool:
    from vnetlab.kernel import preflight

    return os.geteuid() == 0 or preflight.userns_available()


@pytest.mark.skipif(not _can_sandbox(), reason="needs root or unprivileged user namespaces (a sandbox)")
def test_down_list_and_status_load_neither_pydantic_nor_the_model() -> None:
    """`down`, `list` and `status` of a lab by its name read marks and the kernel: the model, pydantic
    and the plan are for `up` (a tenth of a second and more at each start of the CLI)."""
    from vnetlab.kernel import sandbox

    got = sandbox.run(_lifecycle_imports)
    assert got["left"] == []  # `down` did remove the lab
    heavy = {"pydantic", "vnetlab.model", "vnetlab.load", "vnetlab.plan", "vnetlab.resolve", "vnetlab.kernel.lab"}
    for cmd in ("list", "status", "down"):
        mods = got[cmd]
        assert isinstance(mods, set) and "vnetlab.kernel.owner" in mods, cmd
        assert not heavy & mods, (cmd, sorted(heavy & mods))
    # `down` takes no netlink: no pyroute2 either
    assert "pyroute2" not in got["down"]


def test_the_api_names_are_there_on_first_use() -> None:
    code = (
        "import sys, vnetlab; assert 'pydantic' not in sys.modules; "
        "assert callable(vnetlab.load) and callable(vnetlab.resolve) and callable(vnetlab.check); "
        "import vnetlab.load, vnetlab.resolve, vnetlab.check; "
        "assert callable(vnetlab.load) and callable(vnetlab.resolve) and callable(vnetlab.check); "
        "assert vnetlab.Lab.__name__ == 'Lab' and 'load' in dir(vnetlab)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["python3", "/venv/bin/vnetlab", "validate", "lab.yaml"], True),  # the console script
        (["python3", "-X", "importtime", "/venv/bin/vnetlab", "--help"], True),
        (["python3", "-m", "vnetlab", "trace"], True),
        (["python3", "-I", "-X", "importtime", "-m", "vnetlab"], True),
        (["python3", "-mvnetlab"], True),
        (["python3", "/venv/bin/pytest", "-q"], False),
        (["python3", "-m", "pytest"], False),
        (["python3", "-m", "vnetlab.kernel.guestd"], False),
        (["python3", "-c", "from multiprocessing.spawn import spawn_main", "--multiprocessing-fork"], False),
        (["python3"], False),
    ],
)
def test_the_command_is_told_from_a_program_that_calls_it(argv: list[str], command: bool) -> None:
    from vnetlab.cli.startup import is_command

    assert is_command(argv) is command


def test_a_program_that_runs_the_command_in_process_keeps_its_collector(run_cli) -> None:
    """Only the `vnetlab` process pauses the collector for its imports and freezes what they made:
    a test suite calling main() must not have its heap frozen (its garbage would stay forever)."""
    import gc

    frozen, enabled = gc.get_freeze_count(), gc.isenabled()
    code, out, _ = run_cli("trace", LAB, "b1", "b2")
    assert code == 0 and "b1" in out
    assert (gc.get_freeze_count(), gc.isenabled()) == (frozen, enabled)


def test_the_command_freezes_what_its_imports_made() -> None:
    """In the `vnetlab` process the imports run without collections and end frozen (gc.freeze); the
    command's own work runs with the collector on. (The child says it is `python -m vnetlab`.)"""
    code = (
        "import gc, sys\n"
        "sys.orig_argv = [sys.executable, '-m', 'vnetlab', 'validate', sys.argv[1]]\n"
        "sys.argv = ['vnetlab', 'validate', sys.argv[1]]\n"
        "n = [0]\n"
        "gc.callbacks.append(lambda phase, info: n.__setitem__(0, n[0] + (phase == 'start')))\n"
        "from vnetlab.cli import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print(gc.get_freeze_count(), n[0], gc.isenabled())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    p = subprocess.run([sys.executable, "-c", code, LAB], capture_output=True, text=True, check=False, env=env)
    assert p.returncode == 0, p.stderr
    frozen, collections, enabled = p.stdout.splitlines()[-1].split()
    # the model, pydantic and click: some 50,000 objects; without the pause, ~70 collections
    assert int(frozen) > 20_000 and int(collections) < 30 and enabled == "True", p.stdout


def test_validate_builds_only_the_lab_validator() -> None:
    """The model's classes defer their schema (pydantic's defer_build): `validate` builds the one
    validator it runs, the Lab's (its sub-models' schemas inside it), not one per class; a class
    used on its own builds its own on first use, and validates as before."""
    code = (
        "import inspect, sys\n"
        "from pydantic import BaseModel, ValidationError\n"
        "sys.argv = ['vnetlab', 'validate', sys.argv[1]]\n"
        "from vnetlab.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
        "import vnetlab.model as m, vnetlab.model.kinds as k\n"
        "models = {c for mod in (m, k) for c in vars(mod).values() if inspect.isclass(c) and issubclass(c, BaseModel)}\n"
        "print(sorted(c.__name__ for c in models if c.__pydantic_complete__))\n"
        "assert len(models) > 15, models\n"
        "try:\n"
        "    m.Route(to='default', via='192.0.2.300')\n"
        "except ValidationError as e:\n"
        "    print(e.errors()[0]['loc'])\n"
        "print(m.Route(to='default', via='192.0.2.1').via, m.Route.__pydantic_complete__)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    p = subprocess.run([sys.executable, "-c", code, LAB], capture_output=True, text=True, check=False, env=env)
    assert p.returncode == 0, p.stderr
    complete, loc, route = p.stdout.splitlines()[-3:]
    assert complete == "['Lab']", p.stdout
    assert loc == "('via',)" and route == "192.0.2.1 True", p.stdout
