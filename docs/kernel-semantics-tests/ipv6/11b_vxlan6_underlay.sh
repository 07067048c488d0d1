#!/bin/bash
# Q11b: VXLAN over an IPv6 underlay: unicast remote with and without local/dev, remotes
# (all-zeros FDB entries), cold underlay ND, the outer source the receiver learns
# (vxlan_snoop), the MTU, an IPv6 group, a mixed-family remotes entry.
. "$(dirname "$0")/lib6.sh"
uname -r
# three VTEPs on one underlay switch; v1 has two global addresses on u0
mksw
for i in 1 2 3; do mkns v$i; hostport v$i u0 02:00:00:00:0b:0$i p$i; X v$i ip -6 addr add 2001:db8:ff::$i/64 dev u0 nodad; X v$i ip link set u0 up; done
X v1 ip -6 addr add 2001:db8:fe::1/64 dev u0 nodad
mkvx() { # NS ARGS...: vx0 with the overlay addresses 2001:db8:42::N/64 and 192.0.2.N/24
  local n=$1; shift
  X $n ip link add vx0 address 02:00:00:00:0a:0${n#v} type vxlan id 42 dstport 4789 "$@"
  X $n ip -6 addr add 2001:db8:42::${n#v}/64 dev vx0 nodad; X $n ip addr add 192.0.2.${n#v}/24 dev vx0; X $n ip link set vx0 up; }
cleanvx() { for n in v1 v2 v3; do X $n ip link del vx0 2>/dev/null; X $n ip -6 neigh flush dev u0; done; }
fdb() { X $1 bridge fdb show dev vx0 | tr '\n' ';'; }
uneigh() { X $1 ip -6 neigh show dev u0 | tr '\n' ';'; }

sec "A: remote + local + dev (cold underlay ND)"
mkvx v1 remote 2001:db8:ff::2 local 2001:db8:ff::1 dev u0; mkvx v2 remote 2001:db8:ff::1 local 2001:db8:ff::2 dev u0
echo "mtu with dev: $(X v1 cat /sys/class/net/vx0/mtu)"
echo "v1 underlay neigh after up (the VXLAN's DAD was encapsulated): [$(uneigh v1)]"
waitdad v1 >/dev/null; waitdad v2 >/dev/null; X v1 ip -6 neigh flush dev u0; X v2 ip -6 neigh flush dev u0; X v1 ip -6 neigh flush dev vx0
echo "v1 underlay neigh flushed: [$(uneigh v1)]"
echo "v1 -> v2 v6 overlay: $(ping6t v1 2001:db8:42::2)  v4 overlay: $(X v1 ping -c1 -W1 -q 192.0.2.2 >/dev/null 2>&1 && echo OK || echo FAIL)"
echo "v1 underlay neigh after: [$(uneigh v1)]"
echo "v2 fdb: $(fdb v2)"
cleanvx

sec "B: remote without local, without dev (outer source = route source)"
mkvx v1 remote 2001:db8:ff::2; mkvx v2 remote 2001:db8:ff::1
echo "mtu without dev: $(X v1 cat /sys/class/net/vx0/mtu)"
echo "v1 -> v2: $(ping6t v1 2001:db8:42::2)"
echo "v2 fdb (outer source v2 learned): $(fdb v2)"
echo "v1 src for 2001:db8:ff::2: $(X v1 ip -6 route get 2001:db8:ff::2 | head -1)"
cleanvx

sec "B2: remote without local towards v1's second prefix (source selection: longest common prefix)"
X v2 ip -6 route add 2001:db8:fe::/64 dev u0
mkvx v2 remote 2001:db8:fe::1; mkvx v1 remote 2001:db8:ff::2 local 2001:db8:ff::1
echo "v2 -> v1: $(ping6t v2 2001:db8:42::1)"
echo "v1 fdb: $(fdb v1)"
cleanvx; X v2 ip -6 route del 2001:db8:fe::/64 dev u0

sec "C: remotes (all-zeros entries appended), no remote"
mkvx v1 local 2001:db8:ff::1
for d in 2 3; do X v1 bridge fdb append 00:00:00:00:00:00 dev vx0 dst 2001:db8:ff::$d; done
mkvx v2 remote 2001:db8:ff::1 local 2001:db8:ff::2; mkvx v3 remote 2001:db8:ff::1 local 2001:db8:ff::3
echo "v1 fdb: $(fdb v1)"
echo "v1 -> v2: $(ping6t v1 2001:db8:42::2)  v1 -> v3: $(ping6t v1 2001:db8:42::3)  v2 -> v3: $(ping6t v2 2001:db8:42::3)"
echo "v3 fdb: $(fdb v3)"
cleanvx

sec "D: mixed family: an IPv4 all-zeros entry on an IPv6 VXLAN"
mkvx v1 remote 2001:db8:ff::2 local 2001:db8:ff::1
X v1 bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.99 2>&1; echo "rc=$?"
echo "v1 fdb: $(fdb v1)"
cleanvx

sec "E: IPv6 group ff05::42 dev u0"
for n in v1 v2 v3; do mkvx $n group ff05::42 dev u0; done
echo "v1 -> v2: $(ping6t v1 2001:db8:42::2)  v1 -> v3: $(ping6t v1 2001:db8:42::3)"
echo "v1 fdb: $(fdb v1)"
echo "v2 maddr u0: $(X v2 ip -6 maddr show dev u0 | grep -c ff05::42)"
cleanvx

sec "F: MTU: lower 1400 with dev; explicit mtu 1500 with dev; lower changed later"
X v1 ip link set u0 mtu 1400
mkvx v1 remote 2001:db8:ff::2 local 2001:db8:ff::1 dev u0
echo "mtu: $(X v1 cat /sys/class/net/vx0/mtu)"; X v1 ip link del vx0
X v1 ip link add vx0 mtu 1500 type vxlan id 42 dstport 4789 remote 2001:db8:ff::2 dev u0 2>&1; echo "explicit 1500: rc=$? mtu $(X v1 cat /sys/class/net/vx0/mtu)"
X v1 ip link set u0 mtu 1500; echo "after lower 1500: $(X v1 cat /sys/class/net/vx0/mtu)"
X v1 ip link del vx0

sec "G: dev that the route to the remote does not use (v1 u1: a veth with 2001:db8:1::1/64, its peer up)"
X v1 ip link add u1 type veth peer name u1p; X v1 ip link set u1p up; X v1 ip -6 addr add 2001:db8:1::1/64 dev u1 nodad; X v1 ip link set u1 up
mkvx v2 remote 2001:db8:ff::1 local 2001:db8:ff::2
mkvx v1 remote 2001:db8:ff::2 dev u1
echo "no local, dev u1: v1 -> v2: $(ping6t v1 2001:db8:42::2)  tx_carrier_errors $(X v1 cat /sys/class/net/vx0/statistics/tx_carrier_errors) tx_errors $(X v1 cat /sys/class/net/vx0/statistics/tx_errors)"
X v1 ip link del vx0
mkvx v1 remote 2001:db8:ff::2 local 2001:db8:ff::1 dev u1
echo "local, dev u1: v1 -> v2: $(ping6t v1 2001:db8:42::2)"
X v1 ip link del vx0

sec "H: an explicit mtu above the lower's minus 50 (IPv4 underlay) is clamped too: lower 1300, mtu 1400"
X v3 ip addr add 198.51.100.3/24 dev u0; X v3 ip link set u0 mtu 1300
X v3 ip link add vx4 mtu 1400 type vxlan id 43 dstport 4789 remote 198.51.100.1 dev u0; X v3 ip link set vx4 up
echo "mtu: $(X v3 cat /sys/class/net/vx4/mtu)  IPv6 on it: [$(addrs v3 vx4)]"
