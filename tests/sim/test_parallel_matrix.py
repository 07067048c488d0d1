"""`vnetlab matrix --workers N` and `--cluster ADDRESS`: rows measured in other
processes give the serial matrix, cell for cell and owner for owner, also when
the learned state a chunk of rows started from had to be corrected."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import LABS, ROOT
from tests.differential.cluster import draw
from tests.differential.labgen import labs
from tests.differential.labgen6 import dual_labs
from vnetlab import load, load_text, resolve
from vnetlab.cli.render import json_text
from vnetlab.sim import Simulator, sim_unsupported
from vnetlab.sim.world import FdbSnapshot
from vnetlab.steps import lab_after
from vnetlab.verify.matrix import _chunks, measure_parallel

SHIPPED = [p for p in LABS if not sim_unsupported(load(p))]


def _same(a, b) -> None:
    assert a.columns == b.columns
    assert a.rows == b.rows
    assert a.answered_by == b.answered_by
    # the JSON text the workers encoded is json.dumps(indent=2) of the matrix, byte for byte
    assert a.json_text(json_text) == json.dumps(a.as_json(), indent=2)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_two_processes_give_the_serial_matrix(path) -> None:
    r = resolve(lab_after(load(path), None))
    serial = Simulator(r).matrix()
    _same(measure_parallel(r, workers=2, chunks_per_worker=2), serial)
    m = measure_parallel(r, workers=2)  # as the CLI: one chunk here, one in a forked process
    _same(m, serial)
    assert (m.texts is not None) == (len(m.rows) > 1)


def test_random_labs_in_processes() -> None:
    for text in draw(labs(), 25):
        r = resolve(load_text(text))
        _same(measure_parallel(r, workers=2, chunks_per_worker=2), Simulator(r).matrix())


def test_dual_stack_and_regression_labs_in_processes() -> None:
    """IPv6 columns, and the labs the fuzzers found, through the CLI's split (one chunk here)."""
    texts = draw(dual_labs(), 15)
    texts += [p.read_text() for p in sorted((ROOT / "tests" / "differential" / "regressions").glob("*.yaml"))]
    n = 0
    for text in texts:
        lab = load_text(text)
        if sim_unsupported(lab):
            continue
        r = resolve(lab)
        _same(measure_parallel(r, workers=2), Simulator(r).matrix())
        n += 1
    assert n >= 20


def test_a_wrong_starting_guess_is_detected_and_redone() -> None:
    """Chunks started from a learned state nobody had (empty FDBs) are run again."""
    r = resolve(load(ROOT / "labs" / "bridge-hairpin.yaml"))
    m = measure_parallel(r, workers=2, chunks_per_worker=2, _guess=FdbSnapshot())
    _same(m, Simulator(r).matrix())
    assert m.parallel["redone"] == m.parallel["chunks"] > 0
    assert m.texts is not None


def test_chunks_in_order_and_weighted() -> None:
    items = [str(i) for i in range(100)]
    for n in (1, 2, 3, 7):
        for first in (None, 0.5, 0.9, 1.0, 2.0):
            parts = _chunks(items, n, first)
            assert [x for p in parts for x in p] == items
            assert len(parts) == n and all(parts)
    assert [len(p) for p in _chunks(items, 2, 0.9)] == [47, 53]
    assert [len(p) for p in _chunks(items, 3, 2.0)] == [50, 25, 25]
    assert _chunks(["a"], 2, 0.9) == [["a"]]


def test_cli_workers_equals_serial(tmp_path) -> None:
    lab = ROOT / "labs" / "macvlan-modes.yaml"
    run = [sys.executable, "-m", "vnetlab", "matrix", str(lab), "--json"]
    ta = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    tb = subprocess.run([*run, "--workers", "2"], capture_output=True, text=True, check=True).stdout
    a, b = json.loads(ta), json.loads(tb)
    # byte for byte but the time taken
    assert ta.replace(str(a["elapsed_s"]), "T") == tb.replace(str(b["elapsed_s"]), "T")
    assert (a["rows"], a["answered_by"], a["targets"]) == (b["rows"], b["answered_by"], b["targets"])
    a["elapsed_s"] = b["elapsed_s"] = 0
    assert a == b
    k = subprocess.run([*run, "--workers", "2", "--backend", "kernel"], capture_output=True, text=True)
    assert k.returncode == 2 and "simulator" in k.stderr


def test_local_dask_cluster_gives_the_serial_matrix() -> None:
    pytest.importorskip("dask.distributed")
    from dask.distributed import LocalCluster

    labs_ = [resolve(load(ROOT / "labs" / n)) for n in ("macvlan-modes.yaml", "bridge-hairpin.yaml")]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        for r in labs_:
            m = measure_parallel(r, cluster=cluster.scheduler_address)
            _same(m, Simulator(r).matrix())
            assert m.parallel["chunks"] == 2
