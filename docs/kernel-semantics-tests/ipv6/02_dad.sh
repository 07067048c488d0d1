#!/bin/bash
# Q2: DAD defaults, timing, flags, enhanced DAD against reflection, real duplicates.
. "$(dirname "$0")/lib6.sh"
uname -r
sec "timing: address added before up; time from 'ip link set up' (peer already up) to no tentative address; 12 trials"
mkns t; ip netns add $P-u
for i in $(seq 12); do
  ip link add e0 netns $P-t address 02:00:00:00:01:01 type veth peer name e1 netns $P-u; X u ip link set e1 up
  X t ip -6 addr add 2001:db8::1/64 dev e0
  t0=$(date +%s%N); X t ip link set e0 up
  ll=""; gl=""
  for k in $(seq 400); do
    o=$(X t ip -6 addr show dev e0)
    [ -z "$ll" ] && echo "$o" | grep fe80 | grep -qv tentative && echo "$o" | grep -q fe80 && ll=$(( ($(date +%s%N)-t0)/1000000 ))
    [ -z "$gl" ] && echo "$o" | grep 2001 | grep -qv tentative && gl=$(( ($(date +%s%N)-t0)/1000000 ))
    [ -n "$ll" ] && [ -n "$gl" ] && break; sleep 0.01
  done
  echo "trial $i: link-local ready after ${ll} ms, global after ${gl} ms"
  X t ip link del e0
done
ip netns del $P-u
sec "packets of one DAD run (tcpdump on the peer): NS from ::, to solicited-node, nonce option; MLD reports"
ip link add e0 netns $P-t address 02:00:00:00:01:01 type veth peer name e1 netns $P-t2 2>/dev/null || { ip netns add $P-t2; X t2 ip link set lo up; ip link add e0 netns $P-t address 02:00:00:00:01:01 type veth peer name e1 netns $P-t2; }
X t2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1
X t2 ip link set e1 up
X t2 timeout 4 tcpdump -l -n -e -vv -i e1 ip6 2>/dev/null > /tmp/v6cap.txt & sleep 0.5
X t ip -6 addr add 2001:db8::1/64 dev e0; X t ip link set e0 up; sleep 3.6; wait
cat /tmp/v6cap.txt
echo "-- addresses, then the multicast groups e0 joined:"; X t ip -6 addr show dev e0; X t ip -6 maddr show dev e0
sec "optimistic_dad=1: flags while DAD runs"
X t ip link del e0
ip link add e0 netns $P-t address 02:00:00:00:01:01 type veth peer name e1 netns $P-t2; X t2 ip link set e1 up
X t sysctl -qw net.ipv6.conf.e0.optimistic_dad=1
X t ip link set e0 up; X t ip -6 addr add 2001:db8::1/64 dev e0; sleep 0.05; X t ip -6 addr show dev e0; X t ip link del e0
sec "accept_dad=0 on the device: immediately usable (no tentative)"
ip link add e0 netns $P-t address 02:00:00:00:01:01 type veth peer name e1 netns $P-t2; X t2 ip link set e1 up
X t sysctl -qw net.ipv6.conf.e0.accept_dad=0
X t ip link set e0 up; X t ip -6 addr add 2001:db8::1/64 dev e0; sleep 0.05; X t ip -6 addr show dev e0; X t ip link del e0
echo "-- all.accept_dad=1, e0.accept_dad=0 (max of the two?):"
X t sysctl -qw net.ipv6.conf.all.accept_dad=1
ip link add e0 netns $P-t address 02:00:00:00:01:01 type veth peer name e1 netns $P-t2; X t2 ip link set e1 up
X t sysctl -qw net.ipv6.conf.e0.accept_dad=0
X t ip link set e0 up; X t ip -6 addr add 2001:db8::1/64 dev e0; sleep 0.05; X t ip -6 addr show dev e0; X t ip link del e0
X t sysctl -qw net.ipv6.conf.all.accept_dad=0
echo "-- ip addr add ... nodad:"
ip link add e0 netns $P-t address 02:00:00:00:01:01 type veth peer name e1 netns $P-t2; X t2 ip link set e1 up
X t ip link set e0 up; X t ip -6 addr add 2001:db8::1/64 dev e0 nodad; sleep 0.05; X t ip -6 addr show dev e0 scope global; X t ip link del e0
ip netns del $P-t; ip netns del $P-t2

sec "reflection: host h on a bridge port with hairpin ON (its own NS comes back); capture on the switch port"
run_hairpin() { # $1 enhanced_dad value
  mksw; mkns h; hostport h nic 02:00:00:00:00:01 swp1; X sw ip link set swp1 type bridge_slave hairpin on
  X h sysctl -qw net.ipv6.conf.all.enhanced_dad=$1 net.ipv6.conf.default.enhanced_dad=$1 net.ipv6.conf.nic.enhanced_dad=$1
  X sw timeout 3 tcpdump -l -n -e -Q out -i swp1 'icmp6 and ip6[40]==135' 2>/dev/null > /tmp/v6cap.txt & sleep 0.5
  X h ip -6 addr add 2001:db8::1/64 dev nic; X h ip link set nic up; sleep 2.7; wait
  echo "enhanced_dad=$1: DAD NS sent back to h by the switch (hairpin): $(grep -c 'neighbor solicitation' /tmp/v6cap.txt)"; X h ip -6 addr show dev nic
  ip netns del $P-h; ip netns del $P-sw
}
run_hairpin 1
run_hairpin 0

sec "reflection: macvlan child (vepa, then private) on a hairpin switch port, enhanced_dad=0"
run_mv() { # $1 mode
  mksw; mkns host a; hostport host nic 02:00:00:00:00:01 swp1; X sw ip link set swp1 type bridge_slave hairpin on
  X host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  X host ip link set nic up
  X host ip link add mva link nic address 02:00:00:00:00:0a type macvlan mode $1; X host ip link set mva netns $P-a
  X a sysctl -qw net.ipv6.conf.all.enhanced_dad=0 net.ipv6.conf.default.enhanced_dad=0 net.ipv6.conf.mva.enhanced_dad=0
  X a ip -6 addr add 2001:db8::a/64 dev mva
  X sw timeout 3 tcpdump -l -n -e -Q out -i swp1 'icmp6 and ip6[40]==135' 2>/dev/null > /tmp/v6cap.txt & sleep 0.5
  X a ip link set mva up; sleep 2.7; wait
  echo "$1 child, enhanced_dad=0: NS hairpinned by the switch: $(grep -c 'neighbor solicitation' /tmp/v6cap.txt)"; X a ip -6 addr show dev mva
  ip netns del $P-a; ip netns del $P-host; ip netns del $P-sw
}
run_mv vepa
run_mv private
run_mv bridge

sec "real duplicate: h1 has 2001:db8::5 (DAD done), then h2 adds the same"
mksw; mkns h1 h2 h3; hostport h1 nic 02:00:00:00:00:01 swp1; hostport h2 nic 02:00:00:00:00:02 swp2; hostport h3 nic 02:00:00:00:00:03 swp3
X h3 ip -6 addr add 2001:db8::3/64 dev nic; X h3 ip link set nic up
X h1 ip -6 addr add 2001:db8::5/64 dev nic; X h1 ip link set nic up; sleep 2.5
X h2 ip link set nic up; sleep 2.5; X h2 ip -6 addr add 2001:db8::5/64 dev nic; sleep 2.5
echo "h1:"; X h1 ip -6 addr show dev nic; echo "h2:"; X h2 ip -6 addr show dev nic
echo "h2 routes (local table) for the dadfailed address:"; X h2 ip -6 route show table local | grep 2001 || echo "(none)"
echo "h2 connected route:"; X h2 ip -6 route show | grep 2001 || echo "(none)"
echo "h3 ping 2001:db8::5 -> $(ping6t h3 2001:db8::5) ; neighbour: $(X h3 ip -6 neigh show 2001:db8::5)"
echo "h2 ping -I 2001:db8::5 2001:db8::3 (dadfailed as source): "; X h2 ping -6 -c1 -W1 -I 2001:db8::5 2001:db8::3 2>&1 | tail -2
echo "h2 ping 2001:db8::3 (source selection with only a dadfailed global): "; X h2 ping -6 -c1 -W1 2001:db8::3 2>&1 | sed -n 1p; X h2 ping -6 -c1 -W1 2001:db8::3 >/dev/null 2>&1 && echo OK || echo FAIL
echo "h2: dadfailed address stays after 5 s?"; sleep 5; X h2 ip -6 addr show dev nic scope global
echo "h2: delete and re-add after h1 removed it:"; X h1 ip -6 addr del 2001:db8::5/64 dev nic; X h2 ip -6 addr del 2001:db8::5/64 dev nic; X h2 ip -6 addr add 2001:db8::5/64 dev nic; sleep 2.5; X h2 ip -6 addr show dev nic scope global

sec "simultaneous duplicate: h1 and h2 add 2001:db8::7 at the same moment (both tentative)"
X h1 ip -6 addr add 2001:db8::7/64 dev nic & X h2 ip -6 addr add 2001:db8::7/64 dev nic & wait; sleep 2.5
echo "h1:"; X h1 ip -6 addr show dev nic scope global; echo "h2:"; X h2 ip -6 addr show dev nic scope global

sec "link-local duplicate, accept_dad=1 (default): h3 gets h1's MAC-derived LL"
X h3 ip link set nic down; X h3 ip link set nic address 02:00:00:00:00:01 2>&1; X h3 ip link set nic up; sleep 2.5
X h3 ip -6 addr show dev nic; X h3 sysctl net.ipv6.conf.nic.disable_ipv6
sec "link-local duplicate, accept_dad=2: IPv6 disabled on the interface?"
X h3 ip link set nic down; X h3 sysctl -qw net.ipv6.conf.nic.accept_dad=2; X h3 ip -6 addr add 2001:db8::33/64 dev nic; X h3 ip link set nic up; sleep 2.5
X h3 ip -6 addr show dev nic; X h3 sysctl net.ipv6.conf.nic.disable_ipv6; dmesg 2>/dev/null | tail -0
sec "global duplicate with accept_dad=2: interface disabled too? (h1 holds 2001:db8::99, h2 adds it)"
X h1 ip -6 addr add 2001:db8::99/64 dev nic; sleep 2.5
X h2 sysctl -qw net.ipv6.conf.nic.accept_dad=2; X h2 ip -6 addr add 2001:db8::99/64 dev nic; sleep 2.5; X h2 ip -6 addr show dev nic; X h2 sysctl net.ipv6.conf.nic.disable_ipv6
