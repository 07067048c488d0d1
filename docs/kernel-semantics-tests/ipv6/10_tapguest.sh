#!/bin/bash
# Q10: what a guest on a tap must do for IPv6. A stdlib-only guest (tapguest6.py) holds the tap fd,
# sends no DAD and no MLD, and answers NS (in several deliberately broken ways) and echo.
. "$(dirname "$0")/lib6.sh"
D=$(cd "$(dirname "$0")" && pwd)
uname -r
run() { # variant [bridge args]
  local v=$1; shift
  mksw "$@"; mkns h1; hostport h1 nic 02:00:00:00:00:01 swp1
  X h1 ip -6 addr add 2001:db8::1/64 dev nic; X h1 ip link set nic up
  X sw python3 $D/tapguest6.py tg0 52:54:00:00:00:50 2001:db8::50 $v 9 > /tmp/v6guest.txt 2>&1 &
  for i in $(seq 50); do grep -q ready /tmp/v6guest.txt && break; sleep 0.1; done
  X sw ip link set tg0 master br0; X sw ip link set tg0 up; sleep 2.5
  [ -n "$*" ] && sleep 11
  X h1 ip -6 neigh flush all
  local r=$(ping6t h1 2001:db8::50)
  echo "variant=$v bridge='$*': h1 -> guest: $r ; h1's entry: $(X h1 ip -6 neigh show 2001:db8::50 | tr -s ' ')"
  echo "    tg0 state while the guest holds the fd: $(X sw ip -br link show tg0 | tr -s ' ')"
  [ "${v#ask}" != "$v" ] && echo "    h1's entry for the guest (from its NS): $(X h1 ip -6 neigh show 2001:db8::50 | tr -s ' ')"
  wait; sed 's/^/    guest: /' /tmp/v6guest.txt | grep -E 'received|NA for|sent NS' 
  ip netns del $P-h1; ip netns del $P-sw
}
sec "bridge defaults (snooping 1, no querier)"
for v in good nosol notlla hop64 mute; do run $v; done
sec "the guest resolves h1 itself (multicast NS with / without the source link-layer option); h1 not flushed after"
run_ask() { local v=$1
  mksw; mkns h1; hostport h1 nic 02:00:00:00:00:01 swp1
  X h1 ip -6 addr add 2001:db8::1/64 dev nic; X h1 ip link set nic up
  X sw python3 $D/tapguest6.py tg0 52:54:00:00:00:50 2001:db8::50 $v 6 > /tmp/v6guest.txt 2>&1 &
  for i in $(seq 50); do grep -q ready /tmp/v6guest.txt && break; sleep 0.1; done
  X sw ip link set tg0 master br0; X sw ip link set tg0 up; sleep 4.5
  echo "variant=$v: h1's entry for the guest after the guest's NS: $(X h1 ip -6 neigh show 2001:db8::50 | tr -s ' ')(empty = none)"
  wait; sed 's/^/    guest: /' /tmp/v6guest.txt | grep -E 'NA for|sent NS'
  ip netns del $P-h1; ip netns del $P-sw; }
run_ask ask:2001:db8::1
run_ask asknosllao:2001:db8::1
sec "bridge with its own MLD querier active (multicast_querier 1 set on the running bridge, probed 11 s later)"
run_q() { mksw; mkns h1; hostport h1 nic 02:00:00:00:00:01 swp1
  X h1 ip -6 addr add 2001:db8::1/64 dev nic; X h1 ip link set nic up
  X sw python3 $D/tapguest6.py tg0 52:54:00:00:00:50 2001:db8::50 good 17 > /tmp/v6guest.txt 2>&1 &
  for i in $(seq 50); do grep -q ready /tmp/v6guest.txt && break; sleep 0.1; done
  X sw ip link set tg0 master br0; X sw ip link set tg0 up; sleep 2.5
  X sw ip link set br0 type bridge mcast_querier 1; sleep 11.5
  X h1 ip -6 neigh flush all; echo "guest without MLD, querier active: h1 -> guest: $(ping6t h1 2001:db8::50)"
  X sw bridge mdb add dev br0 port tg0 grp ff02::1:ff00:50 permanent
  X h1 ip -6 neigh flush all; echo "same, after a static mdb entry for ff02::1:ff00:50 on tg0: $(ping6t h1 2001:db8::50)"
  wait; ip netns del $P-h1; ip netns del $P-sw; }
run_q
