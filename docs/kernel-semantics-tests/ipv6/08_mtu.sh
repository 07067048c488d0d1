#!/bin/bash
# Q8: devices with MTU < 1280 (IPV6_MIN_MTU).
. "$(dirname "$0")/lib6.sh"
uname -r
mkns s
sec "veth created with mtu 1279, brought up with carrier"
X s ip link add m0 mtu 1279 type veth peer name m1; X s ip link set m1 up; X s ip link set m0 up; sleep 0.3
X s ip -6 addr show dev m0; echo "(no output = no IPv6 address)"; X s sysctl net.ipv6.conf.m0.disable_ipv6 2>&1
echo "-- ip -6 addr add 2001:db8::1/64 dev m0:"; X s ip -6 addr add 2001:db8::1/64 dev m0; echo "rc=$?"
echo "-- IPv4 on the same device is fine:"; X s ip -4 addr add 192.0.2.1/24 dev m0; echo "rc=$?"
sec "raise to 1280: IPv6 comes back? (LL regenerated?)"
X s ip link set m0 mtu 1280; sleep 0.3; X s ip -6 addr show dev m0; X s sysctl net.ipv6.conf.m0.disable_ipv6 2>&1
sleep 2.2; X s ip -6 addr show dev m0
sec "a working device (LL + global) lowered to 1000: addresses removed; raised back to 1500"
X s ip -6 addr add 2001:db8::5/64 dev m0; sleep 2.2; X s ip -6 addr show dev m0
X s ip link set m0 mtu 1000; sleep 0.2; echo "-- at 1000:"; X s ip -6 addr show dev m0; X s ip -6 route show dev m0
X s ip link set m0 mtu 1500; sleep 0.3; echo "-- back at 1500:"; X s ip -6 addr show dev m0
echo "-- after down/up:"; X s ip link set m0 down; X s ip link set m0 up; sleep 0.3; X s ip -6 addr show dev m0
sec "bridge whose port has MTU < 1280"
X s ip link add br0 type bridge; X s ip link set br0 up; X s ip link add p0 type veth peer name p1
X s ip link set p0 mtu 1200; X s ip link set p1 mtu 1200; X s ip link set p0 master br0; X s ip link set p0 up; X s ip link set p1 up; sleep 0.3
X s ip -d link show br0 | head -2; X s ip -6 addr show dev br0; echo "(bridge takes the min port MTU)"
sec "ip link set mtu on a netns default: net.ipv6.conf.default.mtu (=1280) is the IPv6 MTU floor"
X s sysctl net.ipv6.conf.m0.mtu net.ipv6.conf.default.mtu
