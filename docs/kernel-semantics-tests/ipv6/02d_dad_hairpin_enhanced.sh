#!/bin/bash
# Does a node whose own DAD NS is reflected by a hairpin bridge port fail DAD?
# Run inside a private sandbox (mount + net namespace, private /run/netns).
set -u
run() {  # $1 = all.enhanced_dad in a, $2 = eth0.enhanced_dad in a, $3 = hairpin on|off
  for n in sw a b; do ip netns add $n; done
  ip -n sw link add br0 type bridge
  ip -n sw link set br0 up
  for n in a b; do
    ip link add p$n netns sw type veth peer name eth0 netns $n
    ip -n sw link set p$n master br0
    ip -n sw link set p$n up
    ip netns exec $n sysctl -qw net.ipv6.conf.all.enhanced_dad=$1 2>/dev/null
  done
  ip netns exec a sysctl -qw net.ipv6.conf.all.enhanced_dad=$1
  ip netns exec a sysctl -qw net.ipv6.conf.eth0.enhanced_dad=$2
  ip -n sw link set pa type bridge_slave hairpin $3
  ip -n a addr add 2001:db8::1/64 dev eth0
  ip -n b addr add 2001:db8::2/64 dev eth0
  ip -n a link set eth0 up; ip -n b link set eth0 up
  sleep 3
  echo "all.enhanced_dad=$1 eth0.enhanced_dad=$2 hairpin=$3:"
  ip -n a -6 -o addr show dev eth0 | awk '{$1="";print "  a:"$0}'
  if ip netns exec b ping -6 -c1 -W1 2001:db8::1 >/dev/null 2>&1; then echo "  b -> 2001:db8::1: reach"; else echo "  b -> 2001:db8::1: no reach"; fi
  for n in sw a b; do ip netns del $n; done
}
run 1 1 on
run 0 0 on
run 0 1 on
run 1 0 on
run 0 0 off
