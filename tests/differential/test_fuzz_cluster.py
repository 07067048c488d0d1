"""Fuzz examples on a Dask cluster give the serial results.

`make fuzz CLUSTER=ADDRESS` sets FUZZ_CLUSTER: then FUZZ_N labs are checked
against the kernel on that cluster (workers as root). Without it, a
LocalCluster of two worker processes runs the simulator's self-check (matrix
against trace) on a few labs, and each result must be the serial one."""

from __future__ import annotations

import os

from tests.differential.cluster import draw, run_on_cluster
from tests.differential.fuzzing import mixed_labs
from tests.differential.labgen import labs

CLUSTER = os.environ.get("FUZZ_CLUSTER")


def _oracle(text: str) -> list[str]:
    from tests.sim.test_trust import oracle
    from vnetlab import load_text, resolve

    return oracle(resolve(load_text(text)))


def test_local_cluster_gives_the_serial_results() -> None:
    from dask.distributed import LocalCluster  # a test dependency: never skipped for want of it

    texts = draw(labs(), 6)
    serial = [_oracle(t) for t in texts]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_on_cluster(cluster.scheduler_address, _oracle, texts)
    assert remote == serial
    assert serial == [[]] * len(texts)


def _kernel_campaign_on_the_cluster() -> None:
    """FUZZ_N labs against the kernel on the cluster at FUZZ_CLUSTER (workers as root)."""
    from tests.differential.test_fuzz import compare

    assert CLUSTER is not None
    texts = draw(mixed_labs(), int(os.environ.get("FUZZ_N", "12")), random=bool(os.environ.get("FUZZ_RANDOM")))
    results = run_on_cluster(CLUSTER, compare, texts)
    bad = [f"{chr(10).join(b)}\n--- lab ---\n{t}" for t, b in zip(texts, results, strict=True) if b]
    assert not bad, f"{len(bad)} of {len(texts)} labs disagree with the kernel:\n" + "\n\n".join(bad)


if CLUSTER is not None:  # `make fuzz CLUSTER=...` only: collected then, never a skip otherwise
    test_kernel_campaign_on_the_cluster = _kernel_campaign_on_the_cluster
