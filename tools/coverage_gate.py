"""Coverage gate: read coverage.py's JSON report and fail unless each gated package
of vnetlab is covered at least at its threshold by the pure tier (tests not needing root).

    python tools/coverage_gate.py out/coverage.json [--min 85] [--packages plan export verify]

Prints one line per package (statements, missed, percent) and the total; exit 1 naming
the packages under the threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import PurePosixPath

DEFAULT_PACKAGES = ("plan", "export", "verify")


def package_of(path: str) -> str | None:
    """The vnetlab sub-package of a measured file: src/vnetlab/plan/build.py -> "plan"."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if "vnetlab" not in parts:
        return None
    rest = parts[parts.index("vnetlab") + 1 :]
    return rest[0] if len(rest) > 1 else None


def figures(report: dict, packages: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """(statements, covered) per package."""
    out = {p: (0, 0) for p in packages}
    for path, data in report["files"].items():
        pkg = package_of(path)
        if pkg in out:
            s = data["summary"]
            n, c = out[pkg]
            out[pkg] = (n + s["num_statements"], c + s["covered_lines"])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", help="coverage JSON (pytest --cov-report=json:FILE)")
    ap.add_argument("--min", type=float, default=85.0, help="minimum percent per package (default 85)")
    ap.add_argument("--packages", nargs="+", default=list(DEFAULT_PACKAGES))
    args = ap.parse_args(argv)
    with open(args.report) as f:
        report = json.load(f)
    figs = figures(report, tuple(args.packages))
    low = []
    print(f"pure-tier coverage (gate: {args.min:g}% each)")
    for pkg, (n, c) in figs.items():
        pct = 100.0 * c / n if n else 0.0
        ok = n > 0 and pct >= args.min
        print(f"  vnetlab/{pkg + '/':<8} {n:5d} statements {n - c:5d} missed {pct:6.1f}%  {'ok' if ok else 'LOW'}")
        if not ok:
            low.append(f"{pkg}/ {pct:.1f}%" if n else f"{pkg}/ (no statements measured)")
    total = report["totals"]
    print(
        f"  vnetlab (all) {total['num_statements']:5d} statements {total['missing_lines']:5d} missed "
        f"{total['percent_covered']:6.1f}%"
    )
    if low:
        print(f"coverage gate FAILED: under {args.min:g}%: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
