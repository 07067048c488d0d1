#!/bin/bash
# Q11 (extra): IPv6 over VXLAN (overlay), with an IPv4 and an IPv6 underlay: MTU, link-local, DAD, ND flooding.
. "$(dirname "$0")/lib6.sh"
uname -r
for ul in 4 6; do
  sec "underlay IPv$ul"
  mkns v1 v2; ip link add u0 netns $P-v1 type veth peer name u0 netns $P-v2
  if [ $ul = 4 ]; then A1=192.0.2.1; A2=192.0.2.2; X v1 ip addr add $A1/24 dev u0; X v2 ip addr add $A2/24 dev u0
  else A1=2001:db8:ff::1; A2=2001:db8:ff::2; X v1 ip -6 addr add $A1/64 dev u0 nodad; X v2 ip -6 addr add $A2/64 dev u0 nodad; fi
  X v1 ip link set u0 up; X v2 ip link set u0 up
  X v1 ip link add vx0 address 02:00:00:00:0a:01 type vxlan id 42 dstport 4789 remote $A2 local $A1 dev u0
  X v2 ip link add vx0 address 02:00:00:00:0a:02 type vxlan id 42 dstport 4789 remote $A1 local $A2 dev u0
  for n in v1 v2; do X $n ip -6 addr add 2001:db8:42::${n#v}/64 dev vx0; X $n ip link set vx0 up; done
  echo "vx0 mtu: $(X v1 cat /sys/class/net/vx0/mtu)  state: $(X v1 ip -br link show vx0 | awk '{print $2}')"
  echo "after up: $(X v1 ip -6 -o addr show dev vx0 | awk '{print $4, $6, $7}' | tr '\n' ';')"
  echo "DAD done after $(waitdad v1) ms (v1)"; waitdad v2 >/dev/null
  X v1 ip -6 neigh flush all; X v2 ip -6 neigh flush all
  echo "v1 -> v2 over vxlan (cold): $(ping6t v1 2001:db8:42::2)"
  echo "v1 vxlan fdb: $(X v1 bridge fdb show dev vx0 | tr '\n' ';')"
  echo "v1 neigh: $(X v1 ip -6 neigh show dev vx0 | tr '\n' ';')"
  ip netns del $P-v1; ip netns del $P-v2
done
