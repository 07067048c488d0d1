#!/bin/bash
# Q31: a guest on a macvtap (reading/writing its character device) and the macvtap netdev itself
# both with IPv6. They share a MAC, so a link-local address and its solicited-node group.
# Who answers ND/echo for which address, and whose DAD can fail, by mode.
# The guest (macvtapguest6.py) runs DAD with a nonce and answers NS/echo for its link-local (LL)
# and global (G = 2001:db8::50); it prints every NS/NA it receives.
# Lab: sw/br0 <- o/nic 2001:db8::1, h/eth0 (no address) with macvtap mvt0 2001:db8::10 (guest on it)
# and a sibling macvlan mv1 of the same mode moved to namespace s, 2001:db8::20.
# As vnetlab's kernel backend does at `up`, the guest opens the descriptor right after mvt0 is up
# (while the netdev's own DAD runs). Run: /work/shared/tools/sandbox.sh bash 31_macvtap_guest6.sh
# With the argument eui64 (-> 31_macvtap_guest6_eui64.out): only the scenarios without a race, the
# guest's G being the EUI-64 address of the shared MAC in 2001:db8::/64 (SLAAC-style), whose
# solicited-node group is the one the netdev's link-local joined.
. "$(dirname "$0")/lib6.sh"
D=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
uname -r
chardev() { # the macvtap's own character device, by major:minor from its namespace's sysfs
  local mm; mm=$(X h sh -c 'cat /sys/class/net/mvt0/tap*/dev'); rm -f $T/tapdev
  mknod $T/tapdev c ${mm%:*} ${mm#*:}; }
run() { # MODE HAIRPIN(0|1) [quiet]
  local m=$1 hp=$2 q=$3
  mksw; mkns o h s
  hostport o nic 02:00:00:00:00:01 swp1; hostport h eth0 02:00:00:00:00:02 swp2
  [ $hp = 1 ] && X sw ip link set swp2 type bridge_slave hairpin on
  X o ip -6 addr add 2001:db8::1/64 dev nic; X o ip link set nic up; X h ip link set eth0 up
  if [ $m = passthru ]; then X h ip link add mvt0 link eth0 type macvtap mode passthru
  else X h ip link add mvt0 link eth0 address 02:00:00:00:00:10 type macvtap mode $m
    X h ip link add mv1 link eth0 address 02:00:00:00:00:20 type macvlan mode $m; X h ip link set mv1 netns $P-s
    X s ip -6 addr add 2001:db8::20/64 dev mv1; X s ip link set mv1 up; fi
  X h ip -6 addr add 2001:db8::10/64 dev mvt0
  local mac; mac=$(X h cat /sys/class/net/mvt0/address)
  local ll; ll=$(python3 -c "import ipaddress,sys;b=bytearray.fromhex('$mac'.replace(':',''));b[0]^=2;print(ipaddress.IPv6Address(bytes.fromhex('fe80000000000000')+bytes(b[:3])+b'\xff\xfe'+bytes(b[3:])))")
  chardev
  X h ip link set mvt0 up; sleep ${DELAY:-0}
  G=2001:db8::50; [ "$EUI" = 1 ] && G=2001:db8:${ll#fe80:}
  X h python3 $D/macvtapguest6.py $T/tapdev $mac $G ${GUEST_SECS:-12} 2001:db8::10 > $T/guest.txt 2>&1 &
  local gp=$!
  sleep 2.5
  if [ -z "$q" ]; then
    echo "mode=$m hairpin=$hp mvt0 $mac LL $ll G $G"
    echo "  mvt0's addresses: $(X h ip -6 -o addr show dev mvt0 | awk '{print $4, $6, $7, $8}' | tr '\n' ';')"
    echo "  o -> G: $(ping6t o $G)   o -> mvt0 2001:db8::10: $(ping6t o 2001:db8::10)   o -> LL%nic: $(ping6t o $ll%nic)"
    [ $m != passthru ] && echo "  s -> G: $(ping6t s $G)   s -> mvt0 2001:db8::10: $(ping6t s 2001:db8::10)"
    echo "  h -> G: $(ping6t h $G)   h -> its own 2001:db8::10: $(ping6t h 2001:db8::10)   h -> o: $(ping6t h 2001:db8::1)"
    echo "  o's neighbour entries: $(X o ip -6 neigh show dev nic | tr -s ' ' | tr '\n' ';')"
  fi
  wait $gp
  if [ -z "$q" ]; then sed 's/^/    guest: /' $T/guest.txt
  else echo "  run: guest DAD failed: $(grep 'DAD failed:' $T/guest.txt | cut -d: -f2); mvt0 dadfailed: $(X h ip -6 addr show dev mvt0 dadfailed | grep -c inet6); netdev NS seen by guest: $(grep -c 'got NS src=:: .*nonce=other' $T/guest.txt)"; fi
  for n in o h s sw; do ip netns del $P-$n; done
}
if [ "$1" = eui64 ]; then EUI=1
  for m in bridge private vepa passthru; do sec "$m, no hairpin"; run $m 0; done
  sec "vepa, hairpin port"; run vepa 1; sec "bridge, hairpin port"; run bridge 1; rm -rf $T; exit 0; fi
for m in bridge private vepa passthru; do sec "$m, no hairpin"; run $m 0; done
sec "vepa, hairpin port (802.1Qbg reflective relay)"; run vepa 1
sec "private, hairpin port"; run private 1
sec "passthru, hairpin port"; run passthru 1
sec "repeats of the DAD race: the guest opens the fd right after mvt0 is up (as vnetlab's up)"
GUEST_SECS=3
for m in private passthru vepa bridge; do echo "$m, hairpin"; for i in 1 2 3 4 5 6; do run $m 1 q; done; done
sec "repeats: the guest opens the fd 2 s after mvt0 is up (the netdev's DAD over)"
DELAY=2
for m in private passthru; do echo "$m, hairpin"; for i in 1 2 3 4; do run $m 1 q; done; done
rm -rf $T
