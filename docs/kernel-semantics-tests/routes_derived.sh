#!/bin/bash
# Which explicit routes clash with the routes the kernel derives from addresses?
# (issue #12 item 4). Run in a sandbox: /work/shared/tools/sandbox.sh bash routes_derived.sh
# `ip route add` sends NLM_F_CREATE|NLM_F_EXCL, as pyroute2's route("add") does (vnetlab up);
# `ip route replace` sends NLM_F_CREATE|NLM_F_REPLACE, as `vnetlab up` on a changed lab does.
set -u
ip netns add a; ip netns add b
ip link add eth0 netns a type veth peer name eth0 netns b
ip -n a link add eth1 type veth peer name eth1p
ip -n a addr add 192.0.2.1/24 dev eth0
ip -n a addr add 2001:db8:1::1/64 dev eth0
ip -n a addr add 2001:db8:9::1/128 dev eth0
ip -n a addr add 192.0.2.9/32 dev eth0
ip -n a addr add 198.51.100.1/24 dev eth1
ip -n a link set lo up; ip -n a link set eth0 up; ip -n a link set eth1 up; ip -n a link set eth1p up
ip -n b link set eth0 up
sleep 2.5   # DAD (fe80::/64 is added at carrier, the global prefix routes at address add)
echo "== kernel-made routes, main table (ip -d: proto/scope/src/metric)"
ip -n a -d route show table main
ip -n a -d -6 route show table main
t() {  # t DESCRIPTION ip-route-args...
  local d=$1; shift
  out=$(ip -n a "$@" 2>&1); rc=$?
  printf '%-70s rc=%d %s\n' "$d: ip $*" "$rc" "$out"
}
echo "== IPv4: identical / clashing with the prefix route 192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.1 (metric 0)"
t "same dst dev, no metric"            route add 192.0.2.0/24 dev eth0
t "same dst dev, metric 0"             route add 192.0.2.0/24 dev eth0 metric 0
t "same dst dev, proto static"         route add 192.0.2.0/24 dev eth0 proto static
t "same dst dev, scope link src"       route add 192.0.2.0/24 dev eth0 scope link src 192.0.2.1 proto kernel
t "same dst, other dev, metric 0"      route add 192.0.2.0/24 dev eth1
t "same dst, gateway, metric 0"        route add 192.0.2.0/24 via 198.51.100.2
t "same dst dev, metric 5 (other prio)" route add 192.0.2.0/24 dev eth0 metric 5
ip -n a route del 192.0.2.0/24 dev eth0 metric 5
t "same dst dev, replace (no metric)"  route replace 192.0.2.0/24 dev eth0
ip -n a -d route show 192.0.2.0/24
echo "-- re-derive: address removed and added again"
ip -n a addr del 192.0.2.1/24 dev eth0; ip -n a addr add 192.0.2.1/24 dev eth0
ip -n a -d route show 192.0.2.0/24
t "/32 address: no prefix route, so adding one works" route add 192.0.2.9/32 dev eth0
ip -n a route del 192.0.2.9/32 dev eth0
echo "== IPv4: two explicit routes, same dst+metric"
t "first"                              route add 203.0.113.0/24 dev eth0
t "second, other dev"                  route add 203.0.113.0/24 dev eth1
t "second, same dev (identical)"       route add 203.0.113.0/24 dev eth0
t "second, other metric"               route add 203.0.113.0/24 dev eth1 metric 7
echo "== IPv4: explicit route added before the device is up (the kernel's prefix route comes later)"
ip -n a link add eth2 type veth peer name eth2p
ip -n a addr add 198.18.0.1/24 dev eth2
t "dev down"                           route add 198.18.0.0/24 dev eth2
ip -n a link set eth2 up; ip -n a link set eth2p up
t "after up: identical"                route add 198.18.0.0/24 dev eth2
echo "== IPv6: identical / clashing with 2001:db8:1::/64 dev eth0 proto kernel metric 256"
t "same dst dev metric 256"            route add 2001:db8:1::/64 dev eth0 metric 256
t "same dst dev metric 256 proto static" route add 2001:db8:1::/64 dev eth0 metric 256 proto static
t "same dst dev, no metric (1024)"     route add 2001:db8:1::/64 dev eth0
ip -n a -6 route del 2001:db8:1::/64 dev eth0 metric 1024
t "same dst, other dev, metric 256"    route add 2001:db8:1::/64 dev eth1 metric 256
t "same dst, gateway, metric 256"      route add 2001:db8:1::/64 via fe80::1 dev eth1 metric 256
t "fe80::/64 dev eth0 metric 256"      route add fe80::/64 dev eth0 metric 256
t "fe80::/64 dev eth1 metric 256 (its own one)" route add fe80::/64 dev eth1 metric 256
t "fe80::/64 dev eth0, no metric"      route add fe80::/64 dev eth0
ip -n a -6 route del fe80::/64 dev eth0 metric 1024
t "/128 address's route, metric 256"   route add 2001:db8:9::1/128 dev eth0 metric 256
t "replace 2001:db8:1::/64 dev eth0 metric 256" route replace 2001:db8:1::/64 dev eth0 metric 256
ip -n a -d -6 route show 2001:db8:1::/64
t "append same dst other dev metric 256" route append 2001:db8:1::/64 dev eth1 metric 256
ip -n a -d -6 route show 2001:db8:1::/64
ip -n a -6 route del 2001:db8:1::/64 dev eth1 metric 256 2>/dev/null
echo "== IPv6: two explicit routes, same dst+metric"
t "first"                              route add 2001:db8:5::/64 dev eth0
t "second, other dev"                  route add 2001:db8:5::/64 dev eth1
t "second, same dev (identical)"       route add 2001:db8:5::/64 dev eth0
t "second gateway, other dev"          route add 2001:db8:5::/64 via fe80::2 dev eth1
echo "== final tables"
ip -n a -d route show table main
ip -n a -d -6 route show table main
echo "== a device that stays down: which prefix routes exist?"
ip -n a link add eth3 type veth peer name eth3p
ip -n a addr add 2001:db8:3::1/64 dev eth3
ip -n a addr add 198.18.3.1/24 dev eth3
ip -n a -d route show dev eth3
ip -n a -d -6 route show dev eth3
t "IPv6 prefix of a down device, other dev, metric 256" route add 2001:db8:3::/64 dev eth0 metric 256
t "IPv4 prefix of a down device, other dev, metric 0"   route add 198.18.3.0/24 dev eth0
echo "== a device up without carrier (peer down): link-local prefix route?"
ip -n a link add eth4 type veth peer name eth4p
ip -n a addr add 2001:db8:4::1/64 dev eth4
ip -n a link set eth4 up
sleep 0.5
ip -n a -d -6 route show dev eth4
t "fe80::/64 dev eth4 metric 256 (no carrier; other devices have theirs)" route add fe80::/64 dev eth4 metric 256
