"""The README's Python API section runs as written: the script, and the pytest
file with the `vnetlab_lab` fixture run by a real pytest with the installed plugin."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from vnetlab.kernel import preflight

pytest_plugins = ["pytester"]

KERNEL = os.geteuid() == 0 or preflight.userns_available()


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Python API and pytest", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_has_the_two_examples() -> None:
    script, tests = _blocks()
    assert "vnetlab.simulate" in script and "vnetlab.kernel" in script and "vnetlab.compare" in script
    assert "def test_" in tests and "vnetlab_lab(" in tests


@pytest.mark.kernel
@pytest.mark.skipif(not KERNEL, reason="the example's kernel half needs root or user namespaces")
def test_the_readme_script_runs() -> None:
    script = _blocks()[0]
    env = {**os.environ, "VNETLAB_SANDBOX_ONLY": "1"}
    p = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "bridge-no-hairpin" in p.stdout  # the trace's reason
    assert "198.51.100.11/24" in p.stdout  # `ip -br addr` inside b1, in the sandbox


@pytest.mark.kernel
def test_the_readme_tests_run_with_the_plugin(pytester: pytest.Pytester) -> None:
    tests = _blocks()[1]
    (pytester.path / "labs").mkdir()
    shutil.copy(ROOT / "labs" / "macvlan-modes.yaml", pytester.path / "labs")
    pytester.makepyfile(test_mylab=tests)
    res = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider")
    if KERNEL:
        res.assert_outcomes(passed=2)
    else:
        res.assert_outcomes(passed=1, skipped=1)


@pytest.mark.kernel
def test_a_failing_test_still_removes_its_lab(pytester: pytest.Pytester) -> None:
    if not KERNEL:
        pytest.skip("needs root or user namespaces")
    shutil.copy(ROOT / "labs" / "macvlan-modes.yaml", pytester.path)
    pytester.makepyfile(
        test_fails="""
        import os

        def test_fails(vnetlab_lab):
            net = vnetlab_lab("macvlan-modes.yaml")
            print("SANDBOX", net.sandbox_pid)
            assert net.ping("bridge", "b1"), "the parent cannot reach its child"
        """
    )
    res = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    res.assert_outcomes(failed=1)
    res.stdout.fnmatch_lines(["*the parent cannot reach its child*"])
    pid = int(re.search(r"SANDBOX (\d+)", res.stdout.str()).group(1))  # type: ignore[union-attr]
    assert not os.path.exists(f"/proc/{pid}")  # the sandbox, and the lab with it, is gone


def test_backend_sim_gives_the_simulator(vnetlab_lab) -> None:
    sim = vnetlab_lab(ROOT / "labs" / "macvlan-modes.yaml", backend="sim")
    assert sim.name == "sim" and sim.ping("b1", "b2") and not sim.ping("bridge", "b1")
