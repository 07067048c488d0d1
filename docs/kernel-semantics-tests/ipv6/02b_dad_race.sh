#!/bin/bash
# Q2b: two nodes start DAD for the same address at the same moment: who fails? 10 trials.
. "$(dirname "$0")/lib6.sh"
uname -r
mksw; mkns h1 h2; hostport h1 nic 02:00:00:00:00:01 swp1; hostport h2 nic 02:00:00:00:00:02 swp2
X h1 ip link set nic up; X h2 ip link set nic up; sleep 2.5
for i in $(seq 10); do
  a=2001:db8::$((100+i))
  X h1 ip -6 addr add $a/64 dev nic & X h2 ip -6 addr add $a/64 dev nic & wait; sleep 2.3
  f1=$(X h1 ip -6 addr show dev nic | grep -c "$a.*dadfailed"); f2=$(X h2 ip -6 addr show dev nic | grep -c "$a.*dadfailed")
  echo "trial $i ($a): h1 dadfailed=$f1 h2 dadfailed=$f2"
done
