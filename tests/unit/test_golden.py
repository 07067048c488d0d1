"""Golden files: for every lab in labs/, the plan (`plan --json`) and the exports
(`export --format ip|networkd|dot|json`) are compared byte for byte with the files stored
under tests/data/golden/<lab>/. A refactoring of plan/ or export/ that changes what a
user gets shows here as a unified diff.

After an intended change, regenerate and review the diff in git:

    UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/unit/test_golden.py
"""

from __future__ import annotations

import difflib
import os

import pytest

from tests.conftest import LABS, ROOT

GOLDEN = ROOT / "tests" / "data" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
REGEN = "UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/unit/test_golden.py"

# file name in the golden folder -> the CLI arguments after the lab path
OUTPUTS: dict[str, tuple[str, ...]] = {
    "plan.json": ("plan", "--json"),
    "build.sh": ("export", "--format", "ip"),
    "networkd.txt": ("export", "--format", "networkd"),
    "diagram.dot": ("export", "--format", "dot"),
    "lab.json": ("export", "--format", "json"),
}


def _cli_args(kind: str, lab: str) -> list[str]:
    cmd, *rest = OUTPUTS[kind]
    return [cmd, lab, *rest]


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_output_matches_golden(run_cli, path, kind) -> None:
    # Relative lab path, so that no output can depend on where the checkout lives.
    rel = str(path.relative_to(ROOT))
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        code, out, err = run_cli(*_cli_args(kind, rel))
    finally:
        os.chdir(cwd)
    assert code == 0, err
    golden = GOLDEN / path.stem / kind
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out)
        return
    assert golden.exists(), f"no golden file {golden.relative_to(ROOT)}: create it with `{REGEN}`"
    want = golden.read_text()
    if out != want:
        diff = "".join(
            difflib.unified_diff(
                want.splitlines(keepends=True),
                out.splitlines(keepends=True),
                fromfile=f"golden/{path.stem}/{kind}",
                tofile=f"vnetlab {' '.join(_cli_args(kind, rel))}",
            )
        )
        pytest.fail(f"output differs from the golden file (if intended, regenerate: `{REGEN}`):\n{diff}", False)


def test_no_stale_golden_folders() -> None:
    """Every golden folder belongs to a lab that still exists, and holds exactly the expected files."""
    labs = {p.stem for p in LABS}
    folders = {p.name for p in GOLDEN.iterdir() if p.is_dir()}
    assert folders - labs == set(), f"golden folders without a lab (delete them): {sorted(folders - labs)}"
    for folder in GOLDEN.iterdir():
        if folder.is_dir():
            assert {f.name for f in folder.iterdir()} == set(OUTPUTS), folder
