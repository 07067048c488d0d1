#!/bin/bash
# Q2c: what "wait until no address is tentative" sees: dadfailed addresses keep the tentative flag,
# and an address on an interface without carrier stays tentative for ever.
. "$(dirname "$0")/lib6.sh"
uname -r
mksw; mkns h1 h2; hostport h1 nic 02:00:00:00:00:01 swp1; hostport h2 nic 02:00:00:00:00:02 swp2
X h1 ip -6 addr add 2001:db8::5/64 dev nic; X h1 ip link set nic up; X h2 ip link set nic up; sleep 2.5
X h2 ip -6 addr add 2001:db8::5/64 dev nic; sleep 2.5
echo "h2: ip -6 addr show tentative:"; X h2 ip -6 addr show tentative | grep inet6
echo "h2: ip -6 addr show dadfailed:"; X h2 ip -6 addr show dadfailed | grep inet6
echo "h2: ip -j flags: $(X h2 ip -6 -j addr show dev nic | python3 -c 'import json,sys; print([(a["local"], {k: v for k, v in a.items() if k in ("tentative","dadfailed","optimistic")}) for i in json.load(sys.stdin) for a in i["addr_info"]])')"
sec "address on a tap nobody holds (up, no carrier), 5 s later"
X h1 ip tuntap add mode tap tp0; X h1 ip -6 addr add 2001:db8:9::1/64 dev tp0; X h1 ip link set tp0 up; sleep 5
X h1 ip -6 addr show dev tp0 | grep inet6
