"""Fuzz examples on a Dask distributed cluster (`make fuzz CLUSTER=tcp://host:8786`).

Hypothesis draws the labs here, one after another (cheap); each lab's check
runs as one task on the cluster, and the results come back in the labs'
order. The tests package is uploaded to the workers (Dask's upload_file), so
a worker needs vnetlab and the test extras installed, not this checkout (a
kernel check needs a root worker)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st


def draw(strategy: st.SearchStrategy[str], n: int, *, random: bool = False) -> list[str]:
    """``n`` examples of ``strategy``, the same ones on every run unless ``random``."""
    out: list[str] = []

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not random,
        phases=[Phase.generate],
    )
    @given(strategy)
    def collect(x: str) -> None:
        out.append(x)

    collect()
    return out


def run_on_cluster(address: str, fn: Callable[[str], Any], items: list[str]) -> list[Any]:
    """``[fn(x) for x in items]``, each call a task on the cluster at ``address``."""
    import tempfile
    import zipfile
    from pathlib import Path

    from dask.distributed import Client

    root = Path(__file__).resolve().parents[2]
    with Client(address) as client, tempfile.TemporaryDirectory() as d:
        # the workers import `fn` by name: give them this checkout's tests package (Dask's upload_file)
        z = Path(d) / "vnetlab_tests.zip"
        with zipfile.ZipFile(z, "w") as zf:
            for f in sorted((root / "tests").rglob("*.py")):
                zf.write(f, f.relative_to(root).as_posix())
        client.upload_file(str(z))
        return client.gather(client.map(fn, items, pure=False))  # type: ignore[no-any-return]
