"""`vnetlab validate` benchmark: the whole command, as a user runs it.

Run: .venv/bin/python benchmarks/bench_validate.py [--sizes 1000 5000 25000] [--repeat 3]

Generated labs: a star of N nodes on bridges (a hub node with N veth ports
on bridges of 1000 ports each, the kernel's limit being 1023, each port
peered with eth0 of its own node, which has an IPv4 address), and N unresolved references (bridge ports whose master does not
exist, children whose parent does not, nics on undeclared switches) for the
"did you mean" hints. Each lab is validated by `python -m vnetlab validate`
in a subprocess (start-up, load, schema, resolve and every check), once with
the default YAML composer (libyaml through PyYAML) and once with
VNETLAB_YAML=ruamel (pure-Python ruamel.yaml, the loader before); the table
shows the best of --repeat runs (wall and CPU seconds) and their ratio.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: A bridge takes at most 1023 ports (BR_MAX_PORTS; check.py's bridge-ports rule).
PORTS_PER_BRIDGE = 1000


def star_bridge(n: int) -> str:
    """A hub with n veth ports p0.. on bridges br0.. (1000 ports each); node n<i> has the other end, eth0."""
    base = int(ipaddress.IPv4Address("198.18.0.0"))
    out = [f"lab: br{n}", "nodes:", "  hub:", "    interfaces:"]
    out += [
        f"      br{j}: {{kind: bridge{', addresses: [198.19.255.254/15]' if j == 0 else ''}}}"
        for j in range((n + PORTS_PER_BRIDGE - 1) // PORTS_PER_BRIDGE)
    ]
    out += [f"      p{i}: {{kind: veth, peer: n{i}/eth0, master: br{i // PORTS_PER_BRIDGE}}}" for i in range(n)]
    for i in range(n):
        ip = ipaddress.IPv4Address(base + i + 1)
        out.append(f"  n{i}:\n    interfaces:\n      eth0: {{kind: veth, peer: hub/p{i}, addresses: [{ip}/15]}}")
    return "\n".join(out) + "\n"


def unresolved(n: int) -> str:
    """3n broken references: n masters, n parents and n switches that do not exist."""
    out = ["lab: unres", "switches:", "  lan: {}", "nodes:", "  hub:", "    interfaces:", "      br0: {kind: bridge}"]
    out += [f"      p{i}: {{kind: veth, peer: n{i}/eth0, master: br{i}}}" for i in range(n)]
    for i in range(n):
        out.append(
            f"  n{i}:\n    interfaces:\n      eth0: {{kind: veth, peer: hub/p{i}}}\n"
            f"      mv0: {{kind: macvlan, parent: eth{i}}}\n      e1: {{kind: nic, switch: lan{i}}}"
        )
    return "\n".join(out) + "\n"


def validate(path: Path, engine: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one `vnetlab validate` subprocess."""
    env = {**os.environ, "VNETLAB_YAML": engine}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "vnetlab", "validate", str(path)], env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode not in (0, 2) or "Traceback" in p.stderr:
        raise SystemExit(f"{path}: exit {p.returncode}\n{p.stderr}")
    return wall, cpu, p.returncode


def best(path: Path, engine: str, repeat: int) -> tuple[float, float]:
    runs = [validate(path, engine) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 25000])
    ap.add_argument("--unresolved", type=int, default=4000, help="broken references per kind (0: skip)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-ruamel", action="store_true", help="skip the pure-Python comparison (slow on big labs)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for n in args.sizes:
            p = Path(tmp) / f"star{n}.yaml"
            p.write_text(star_bridge(n))
            cases.append((f"star {n} nodes", p))
        if args.unresolved:
            p = Path(tmp) / f"unresolved{args.unresolved}.yaml"
            p.write_text(unresolved(args.unresolved))
            cases.append((f"{3 * args.unresolved} bad refs", p))
        print(
            f"{'lab':<18} {'MB':>6} {'libyaml s':>10} {'cpu s':>7} {'ruamel s':>9} {'cpu s':>7} {'ratio':>6}"
            f"   (best of {args.repeat}, wall; ratio = ruamel / libyaml, CPU)"
        )
        for name, p in cases:
            mb = p.stat().st_size / 1e6
            wall, cpu = best(p, "libyaml", args.repeat)
            if args.no_ruamel:
                print(f"{name:<18} {mb:>6.2f} {wall:>10.2f} {cpu:>7.2f}")
                continue
            rwall, rcpu = best(p, "ruamel", max(1, args.repeat if mb < 2 else 1))
            print(f"{name:<18} {mb:>6.2f} {wall:>10.2f} {cpu:>7.2f} {rwall:>9.2f} {rcpu:>7.2f} {rcpu / cpu:>6.1f}x")


if __name__ == "__main__":
    main()
