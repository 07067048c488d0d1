#!/bin/bash
# Two static neighbour entries for one address on one device: what does the kernel do?
# (`vnetlab up` adds them as `ip neigh add` does: RTM_NEWNEIGH with NLM_F_CREATE|NLM_F_EXCL)
# Run in a sandbox: /work/shared/tools/sandbox.sh bash neigh_twice.sh
set -u
ip netns add a
ip -n a link add eth0 type veth peer name eth1
ip -n a link set eth0 up; ip -n a link set eth1 up
ip -n a addr add 192.0.2.1/24 dev eth0; ip -n a addr add 2001:db8::1/64 dev eth0 nodad
try() { echo "\$ ip neigh $*"; ip -n a neigh "$@" 2>&1; echo "  -> exit $?"; }
try add 192.0.2.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent
try add 192.0.2.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent
try add 192.0.2.9 lladdr 02:00:00:00:00:0a dev eth0 nud permanent
try add 192.0.2.9 lladdr 02:00:00:00:00:0a dev eth1 nud permanent
try add 2001:db8::9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent
try add 2001:db8:0:0::9 lladdr 02:00:00:00:00:0a dev eth0 nud permanent
echo "== entries"
ip -n a neigh show nud permanent
