from __future__ import annotations

import os
from pathlib import Path

import pytest

# The suite must never change this machine's own namespaces: every kernel test
# runs in a throw-away sandbox, and vnetlab refuses `up`/`down` outside one.
os.environ["VNETLAB_SANDBOX_ONLY"] = "1"

ROOT = Path(__file__).resolve().parent.parent
LABS = sorted((ROOT / "labs").glob("*.yaml"))
INVALID = sorted((ROOT / "tests" / "data" / "invalid").glob("*.yaml"))


@pytest.fixture
def run_cli():
    """Invoke the real entry point in-process; returns (exit code, stdout, stderr)."""
    import contextlib
    import io
    import sys

    from vnetlab.cli.main import main

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        old = sys.argv
        sys.argv = ["vnetlab", *args]
        code = 0
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            sys.argv = old
        return code, out.getvalue(), err.getvalue()

    return run


def pytest_report_header() -> str:
    """Say which kernel the kernel tier ran on (this machine's, or the full-kernel VM's)."""
    return f"running kernel: {os.uname().release}"
