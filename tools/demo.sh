#!/usr/bin/env bash
# The flagship lab, end to end: validate it, draw it, and (where built) run it
# on the simulator and the kernel, then explain one drop.
set -euo pipefail
LAB=${1:-labs/macvlan-modes.yaml}
V=.venv/bin/vnetlab
mkdir -p out
echo "== vnetlab validate $LAB"
$V validate "$LAB"
echo
echo "== vnetlab export $LAB --format dot --svg out/lab.svg"
if command -v dot >/dev/null; then
  $V export "$LAB" --format dot --svg out/lab.svg >out/lab.dot
else
  $V export "$LAB" --format dot >out/lab.dot
  echo "(Graphviz's dot is not installed: wrote out/lab.dot only)"
fi
for step in "matrix $LAB --backend sim" "trace $LAB p1 p2"; do
  echo
  echo "== vnetlab $step"
  # shellcheck disable=SC2086
  $V $step || true
done
