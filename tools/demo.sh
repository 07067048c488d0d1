#!/usr/bin/env bash
# The flagship lab end to end: validate it, draw it, run it on the simulator
# and (as root, in a throw-away sandbox) on the real kernel, compare the two,
# and explain one drop hop by hop.
set -euo pipefail
LAB=${1:-labs/macvlan-modes.yaml}
V=.venv/bin/vnetlab
mkdir -p out
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "vnetlab validate $LAB"
$V validate "$LAB"
step "vnetlab export $LAB --format dot --svg out/lab.svg"
if command -v dot >/dev/null; then
  $V export "$LAB" --format dot --svg out/lab.svg >out/lab.dot
else
  $V export "$LAB" --format dot >out/lab.dot
  echo "(Graphviz's dot is not installed: wrote out/lab.dot only)"
fi
step "vnetlab matrix $LAB --backend sim"
$V matrix "$LAB" --backend sim
if [ "$(id -u)" = 0 ]; then
  step "vnetlab matrix $LAB --backend kernel   (built in a throw-away sandbox)"
  $V matrix "$LAB" --backend kernel
  step "vnetlab test $LAB --backend both"
  $V test "$LAB" --backend both || true
else
  echo
  echo "(not root: skipping the kernel backend; run 'sudo make demo' to see it)"
fi
step "vnetlab trace $LAB p1 p2   (why private-mode siblings cannot talk)"
$V trace "$LAB" p1 p2 || true
