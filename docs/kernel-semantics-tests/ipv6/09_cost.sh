#!/bin/bash
# Q9: what a matrix cell costs (cold ping6, with the neighbour table flushed), ICMP datagram
# ("ping") sockets vs raw sockets in a netns, and ip -6 neigh flush.
. "$(dirname "$0")/lib6.sh"
uname -r
mksw; mkns h1 h2
hostport h1 nic 02:00:00:00:00:01 swp1; hostport h2 nic 02:00:00:00:00:02 swp2
for i in 1 2; do X h$i ip -6 addr add 2001:db8::$i/64 dev nic; X h$i ip -4 addr add 192.0.2.$i/24 dev nic; X h$i ip link set nic up; done
sleep 2.5
ms() { local t0=$(date +%s%N); "$@" >/dev/null 2>&1; local rc=$?; echo "$(( ($(date +%s%N)-t0)/100000 ))" | sed 's/.$/.&/'; return $rc; }
stats() { sort -n | awk '{a[NR]=$1; s+=$1} END {printf "n=%d min=%s median=%s max=%s mean=%.1f ms\n", NR, a[1], a[int((NR+1)/2)], a[NR], s/NR}'; }
sec "cold ping -6 -c1 -W1 (both neighbour tables flushed before each), 20 runs, wall time incl. process start"
for k in $(seq 20); do X h1 ip -6 neigh flush all; X h2 ip -6 neigh flush all; ms X h1 ping -6 -c1 -W1 -q 2001:db8::2; done | stats
sec "warm ping -6 (entries REACHABLE), 20 runs"
for k in $(seq 20); do ms X h1 ping -6 -c1 -W1 -q 2001:db8::2; done | stats
sec "cold ping -4 for comparison, 20 runs"
for k in $(seq 20); do X h1 ip -4 neigh flush all; X h2 ip -4 neigh flush all; ms X h1 ping -4 -c1 -W1 -q 192.0.2.2; done | stats
sec "cold ping -6 to an absent address (FAIL cell), 5 runs"
for k in $(seq 5); do X h1 ip -6 neigh flush all; ms X h1 ping -6 -c1 -W1 -q 2001:db8::99; done | stats
echo "neighbour entry right after: $(X h1 ip -6 neigh show 2001:db8::99)"; sleep 3; echo "3 s later: $(X h1 ip -6 neigh show 2001:db8::99)"
echo "-- a second ping right after a FAILED entry (not flushed):"; echo "$(ping6t h1 2001:db8::99) (absent host; expected FAIL either way)"
sec "rtt of the cold ping (from ping's own output)"
X h1 ip -6 neigh flush all; X h2 ip -6 neigh flush all; X h1 ping -6 -c1 -W1 2001:db8::2 | grep -E 'time='
X h1 ping -6 -c1 -W1 2001:db8::2 | grep -E 'time='
sec "ICMP sockets: ping_group_range, raw vs datagram, as root and as nobody (65534)"
X h1 sysctl net.ipv4.ping_group_range; getcap /usr/bin/ping 2>/dev/null || echo "(getcap unavailable)"; ls -l /usr/bin/ping
cat > /tmp/v6sock.py <<'PY'
import socket, os, sys
for fam, name, proto in ((socket.AF_INET6, "v6", socket.IPPROTO_ICMPV6), (socket.AF_INET, "v4", socket.IPPROTO_ICMP)):
    for typ, tname in ((socket.SOCK_DGRAM, "dgram(ping socket)"), (socket.SOCK_RAW, "raw")):
        try:
            s = socket.socket(fam, typ, proto); s.close(); r = "ok"
        except OSError as e:
            r = "%s" % (os.strerror(e.errno),)
        print("uid=%d %s %s: %s" % (os.getuid(), name, tname, r))
PY
X h1 /usr/bin/python3 /tmp/v6sock.py
X h1 setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs /usr/bin/python3 /tmp/v6sock.py
echo "-- identity and capabilities under setpriv:"; X h1 setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs sh -c 'id; grep -E "^Cap(Eff|Prm)" /proc/self/status'
echo "-- ping -6 as nobody, no capabilities (run through sh so that ping's file capability is not applied):"
X h1 setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs sh -c 'exec ping -6 -c1 -W1 2001:db8::2' 2>&1 | sed -n '1,3p'
echo "-- ping_group_range set to '0 65534' in h1 (a per-netns sysctl; the IPv4 knob governs ICMPv6 ping sockets too):"
X h1 sysctl -qw net.ipv4.ping_group_range="0 65534"
X h1 setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs /usr/bin/python3 /tmp/v6sock.py
X h1 setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs sh -c 'exec ping -6 -c1 -W1 2001:db8::2' 2>&1 | sed -n '2p'
echo "-- which sockets does ping open? (strace; as nobody, then as root, range now '0 65534')"
X h1 setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs strace -e trace=socket ping -6 -c1 -W1 2001:db8::2 2>&1 | grep -E 'socket\(' | head -4
X h1 strace -e trace=socket ping -6 -c1 -W1 2001:db8::2 2>&1 | grep -E 'socket\(' | head -4
X h1 sysctl -qw net.ipv4.ping_group_range="1 0"; echo "-- root, range back to '1 0':"
X h1 strace -e trace=socket ping -6 -c1 -W1 2001:db8::2 2>&1 | grep -E 'socket\(' | head -4
