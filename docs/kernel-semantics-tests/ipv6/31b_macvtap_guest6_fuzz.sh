#!/bin/bash
# Q31b: random labs with IPv6 guests on macvtaps (1-2 macvtaps of one NIC in random modes, passthru
# alone, a hairpin switch or not, the netdev with or without an address of its own, the guest on the
# EUI-64 address or one ending in its netdev's address's 24 bits, a sibling macvlan node or not):
# those the simulator does not refuse (exit 3) are compared cell by cell with the kernel (vnetlab diff).
# Run from the repository: VNETLAB_IN_SANDBOX=1 /work/shared/tools/sandbox.sh bash THIS [N]
D=$(cd "$(dirname "$0")" && pwd); T=$(mktemp -d)
for i in $(seq 1 ${1:-30}); do
  python3 $D/31b_macvtap_guest6_gen.py $i > $T/$i.yaml
  if ! why=$(.venv/bin/vnetlab matrix $T/$i.yaml 2>&1 >/dev/null); then echo "$i refused: ${why:0:90}"; continue; fi
  echo "$i $(.venv/bin/vnetlab diff $T/$i.yaml 2>&1 | tail -1)"
done
rm -rf $T
