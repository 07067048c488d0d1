#!/usr/bin/env bash
# The full-kernel tier: boot Debian's stock kernel (ipvlan, 802.1Q, dummy and
# bridge VLAN filtering as modules) under QEMU with this machine's own root
# filesystem shared read-only (virtme-ng), and run the kernel tests that this
# machine's kernel has to skip. Results come back through a writable shared
# directory. Fails if a test fails or the VM does not boot.
#   FULLKERNEL_K   pytest -k expression (default: the kinds this host lacks)
set -euo pipefail
cd "$(dirname "$0")/.."
# default: every lab on the kernel against the simulator, the ipvlan test bed,
# the missing-kind test, and the ip-export and import round trips of the labs
# this machine cannot build (ipvlan, 802.1Q, VLAN filtering). The rest of the
# kernel tier runs on the host; under software emulation every Python start
# costs ~20 s, so the VM runs what needs its kernel.
K=${FULLKERNEL_K:-"test_kernel_labs or ipvlan_bed or kernel_without or ((test_export_ip or test_import) and vlan)"}
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
ls /boot/vmlinuz-* >/dev/null 2>&1 || need+=(linux-image-amd64)
command -v busybox >/dev/null || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ -x .venv/bin/vng ] || .venv/bin/pip install -q virtme-ng
KERNEL=$(ls /boot/vmlinuz-* | sort -V | tail -n1)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "booting $KERNEL under QEMU (software emulation; a few minutes)" >&2
PATH="$PWD/.venv/bin:$PATH" timeout 4800 vng --disable-kvm --run "$KERNEL" --memory 2G --cpus 2 --rwdir="$OUT" \
  --exec "modprobe tun 2>/dev/null; modprobe br_netfilter 2>/dev/null; cd '$PWD' && uname -r > '$OUT/kernel' && PYTHONDONTWRITEBYTECODE=1 .venv/bin/pytest -q -p no:cacheprovider -rs tests/kernel -k '$K' > '$OUT/out.txt' 2>&1; echo \$? > '$OUT/rc'" \
  >"$OUT/vm.log" 2>&1 || true
if [ ! -s "$OUT/rc" ]; then
  echo "the VM did not boot or did not finish; its console:" >&2
  tail -n 30 "$OUT/vm.log" >&2
  exit 1
fi
echo "== tests run on kernel $(cat "$OUT/kernel") in the VM"
cat "$OUT/out.txt"
rc=$(cat "$OUT/rc")
# (tun is loaded first: a fresh VM has no /dev/net/tun node to autoload it from; br_netfilter
# for the labs that turn it on: the VM's own kernel, never this machine's)
# the point of the VM: every kind is there, so nothing may skip for lack of one
if grep -E "^SKIPPED .*(lacks|CONFIG_)" "$OUT/out.txt" >&2; then
  echo "FAIL: the full kernel skipped tests for lack of a kind (above)" >&2
  [ "$rc" = 0 ] && rc=1
fi
exit "$rc"
