#!/bin/bash
# What a step (vnetlab up of a changed file: plan/diff.py + kernel/change.py) does to IPv6
# state. Run: /work/shared/tools/sandbox.sh bash 26_steps6.sh  (from the worktree root)
# Node h has one prefix (2001:db8:ee::/64) on two veths, eth0 (to d) and pv0 (to p), plus
# an unrelated veth x0 (to q). Each state is applied with `vnetlab up` over the last one.
export VNETLAB_IN_SANDBOX=1
V=${VNETLAB:-.venv/bin/vnetlab}
T=$(mktemp -d)
uname -r
lab() {  # $1: file; $2: h/eth0 extra; $3: h/pv0 extra; $4: h/x0 extra
cat > $T/$1.yaml <<Y
lab: s6
nodes:
  h:
    interfaces:
      eth0: {kind: veth, peer: d/eth0$2}
      pv0: {kind: veth, peer: p/eth0$3}
      x0: {kind: veth, peer: q/eth0$4}
  d:
    interfaces:
      eth0: {kind: veth, peer: h/eth0, addresses: ["2001:db8:ee::d/64"]}
  p:
    interfaces:
      eth0: {kind: veth, peer: h/pv0, addresses: ["2001:db8:ee::e/64"]}
  q:
    interfaces:
      eth0: {kind: veth, peer: h/x0, addresses: ["2001:db8:ff::2/64"]}
Y
}
show() {
  echo "-- $1"
  echo "   routes 2001:db8:ee::/64: $(ip netns exec s6-h ip -6 route show 2001:db8:ee::/64 | awk '{print $3}' | tr '\n' ' ')"
  for i in eth0 pv0 x0; do
    echo "   h/$i: $(ip netns exec s6-h ip -6 -o addr show dev $i | awk '{printf "%s%s ", $4, ($0 ~ /tentative/ ? "(tentative)" : "")}')"
  done
  echo "   ifindex: $(ip netns exec s6-h ip -o link | awk -F': ' '{printf "%s:%s ", $1, $2}')"
}
up() { $V up $T/$1.yaml >/dev/null 2>$T/err || { echo "up $1 failed"; cat $T/err; }; show "$1"; }
E=', addresses: ["2001:db8:ee::1/64"]'
Pv=', addresses: ["2001:db8:ee::2/64"]'

echo "=== A: eth0's address added by a step while pv0 has one of the prefix (fresh, eth0's route would be first: eth0 is made first)"
lab a0 "" "$Pv" ""
lab a1 "$E" "$Pv" ""
up a0; up a1
echo "   fresh build of a1 for comparison:"; $V down s6 >/dev/null; up a1
$V down s6 >/dev/null

echo "=== B: eth0 down then up in later steps (both addresses from the start)"
lab b0 "$E" "$Pv" ""
lab b1 "$E, up: false" "$Pv" ""
up b0; up b1; up b0
echo "   ping d from h: $(ip netns exec s6-h ping -6 -c1 -W1 2001:db8:ee::d >/dev/null 2>&1 && echo OK || echo FAIL)"
echo "   ping p from h: $(ip netns exec s6-h ping -6 -c1 -W1 2001:db8:ee::e >/dev/null 2>&1 && echo OK || echo FAIL)"
$V down s6 >/dev/null

echo "=== C: a step changes an unrelated device of h (x0's MTU, then an IPv4 address on x0, then an IPv6 one)"
lab c0 "$E" "$Pv" ""
lab c1 "$E" "$Pv" ", mtu: 1400"
lab c2 "$E" "$Pv" ', mtu: 1400, addresses: ["198.51.100.1/24"]'
lab c3 "$E" "$Pv" ', mtu: 1400, addresses: ["198.51.100.1/24", "2001:db8:ff::1/64"]'
up c0; up c1; up c2; up c3
$V down s6 >/dev/null

echo "=== D: a second address added to eth0 in a step (which one is first on the device)"
lab d0 "$E" "$Pv" ""
lab d1 ', addresses: ["2001:db8:aa::1/64", "2001:db8:ee::1/64"]' "$Pv" ""
up d0; up d1
echo "   fresh build of d1 for comparison:"; $V down s6 >/dev/null; up d1
$V down s6 >/dev/null

echo "=== E: pv0 recreated by a step (its peer renamed p/eth1): it is last in h's netdev list"
lab e0 "$E" "$Pv" ""
sed 's#peer: p/eth0#peer: p/eth1#' $T/e0.yaml | sed 's#      eth0: {kind: veth, peer: h/pv0#      eth1: {kind: veth, peer: h/pv0#' > $T/e1.yaml
up e0; up e1
$V down s6 >/dev/null
