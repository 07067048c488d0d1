#!/bin/bash
# Q3: NS/NA on the wire, NA flags, which addresses a node answers NS for on which interface,
# neighbour entries from NS / unsolicited NA, tentative targets.
. "$(dirname "$0")/lib6.sh"
uname -r
mksw; mkns h1 h2 h3
hostport h1 nic 02:00:00:00:00:01 swp1; hostport h2 nic 02:00:00:00:00:02 swp2; hostport h3 nic 02:00:00:00:00:03 swp3
# h1 also has a second interface e1 (veth to an otherwise empty netns) with another prefix
ip netns add $P-x; ip link add e1 netns $P-h1 address 02:00:00:00:01:e1 type veth peer name e1x netns $P-x; X x ip link set e1x up
X h1 ip -6 addr add 2001:db8::1/64 dev nic; X h1 ip -6 addr add 2001:db8:1::77/64 dev e1; X h1 ip -6 addr add 2001:db8:2::1/64 dev e1
X h2 ip -6 addr add 2001:db8::2/64 dev nic; X h3 ip -6 addr add 2001:db8::3/64 dev nic
for n in h1 h2 h3; do X $n ip link set nic up; done; X h1 ip link set e1 up
sleep 2.5
sec "resolution: h2 pings h1 (cold); capture on h2"
X h2 timeout 2 tcpdump -l -n -e -vv -i nic icmp6 2>/dev/null > /tmp/v6cap.txt & sleep 0.4
echo "h2 -> 2001:db8::1: $(ping6t h2 2001:db8::1)"; wait; grep -A3 -E 'neighbor (solicitation|advertisement)' /tmp/v6cap.txt | grep -v '^--'
echo "h1 neighbour entry for h2 (created by the NS): $(X h1 ip -6 neigh show 2001:db8::2)"
echo "h2 neighbour entry for h1: $(X h2 ip -6 neigh show 2001:db8::1)"
echo "h3 (saw the multicast NS): $(X h3 ip -6 neigh show | grep -v fe80 || true)(nothing = no entry)"
sec "h1 forwarding=1: NA router flag; subnet-router anycast 2001:db8:: answered with override=0"
X h1 sysctl -qw net.ipv6.conf.all.forwarding=1; sleep 0.2
X h1 ip -6 addr show dev nic | grep inet6; X h1 ip -6 route show table local | grep -E '^anycast' || true
X h2 ip -6 neigh flush dev nic
X h2 timeout 2.5 tcpdump -l -n -e -vv -i nic 'icmp6 and ip6[40]==136' 2>/dev/null > /tmp/v6cap.txt & sleep 0.4
echo "h2 -> 2001:db8::1: $(ping6t h2 2001:db8::1)   h2 -> 2001:db8:: (anycast): $(ping6t h2 2001:db8::)"; wait
grep -E 'advertisement|Flags' /tmp/v6cap.txt
echo "h2 neighbours:"; X h2 ip -6 neigh show dev nic
X h1 sysctl -qw net.ipv6.conf.all.forwarding=0
sec "NS on nic for an address of h1's OTHER interface (2001:db8:1::77 on e1): h2 has an on-link route for 2001:db8:1::/64 via nic"
X h2 ip -6 route add 2001:db8:1::/64 dev nic; X h2 ip -6 route add 2001:db8:2::/64 dev nic
X h2 ip -6 neigh flush dev nic
X h1 timeout 3 tcpdump -l -n -i nic 'icmp6 and (ip6[40]==135 or ip6[40]==136)' 2>/dev/null > /tmp/v6cap.txt & sleep 0.4
echo "h2 -> 2001:db8:1::77 (e1's, solicited-node group not joined on nic): $(ping6t h2 2001:db8:1::77)"
echo "h2 -> 2001:db8:2::1 (e1's, same solicited-node group ff02::1:ff00:1 as nic's 2001:db8::1): $(ping6t h2 2001:db8:2::1)"; wait
cat /tmp/v6cap.txt
echo "h2 neigh: $(X h2 ip -6 neigh show dev nic | tr '\n' ';')"
echo "-- with a static (permanent) entry on h2 pointing 2001:db8:2::1 at h1's nic MAC (data to e1's address arriving on nic):"
X h2 ip -6 neigh replace 2001:db8:2::1 lladdr 02:00:00:00:00:01 dev nic nud permanent
echo "h2 -> 2001:db8:2::1: $(ping6t h2 2001:db8:2::1)"
echo "h1 neighbour for h2 after that: $(X h1 ip -6 neigh show 2001:db8::2)"
sec "two interfaces of one node on the same link: h1 gets nic2 (2001:db8::12) on the same bridge; NS for ::12 and ::1"
hostport h1 nic2 02:00:00:00:00:12 swp4; X h1 ip -6 addr add 2001:db8::12/64 dev nic2; X h1 ip link set nic2 up; sleep 2.5
X h2 ip -6 neigh flush dev nic
X h2 timeout 2.5 tcpdump -l -n -e -i nic 'icmp6 and ip6[40]==136' 2>/dev/null > /tmp/v6cap.txt & sleep 0.4
echo "h2 -> 2001:db8::12: $(ping6t h2 2001:db8::12)   h2 -> 2001:db8::1: $(ping6t h2 2001:db8::1)"; wait; cat /tmp/v6cap.txt
echo "h2 neigh: $(X h2 ip -6 neigh show dev nic | tr '\n' ';')"
sec "NS for a TENTATIVE target (h1 adds 2001:db8::41, h2 pings it at once)"
X h2 ip -6 neigh flush dev nic
X h1 ip -6 addr add 2001:db8::41/64 dev nic; echo "h2 -> 2001:db8::41 while tentative: $(ping6t h2 2001:db8::41)"; X h1 ip -6 addr show dev nic | grep '::41'
echo "h2 neigh entry: $(X h2 ip -6 neigh show 2001:db8::41)"; sleep 2.5; echo "after DAD: h2 -> 2001:db8::41: $(ping6t h2 2001:db8::41)"
sec "unsolicited NA: h1 changes nic's MAC with ndisc_notify=1; h2 has an entry, h3 has none"
X h2 ping -6 -c1 -W1 -q 2001:db8::1 >/dev/null; X h3 ip -6 neigh flush dev nic
echo "before: h2 $(X h2 ip -6 neigh show 2001:db8::1)"
X h1 sysctl -qw net.ipv6.conf.nic.ndisc_notify=1
X h2 timeout 1.5 tcpdump -l -n -e -vv -i nic 'icmp6 and ip6[40]==136' 2>/dev/null > /tmp/v6cap.txt & sleep 0.4
X h1 ip link set nic address 02:00:00:00:00:21; sleep 1; wait; grep -E 'advertisement|Flags' /tmp/v6cap.txt
echo "after: h2 $(X h2 ip -6 neigh show 2001:db8::1) ; h3 entries for h1: $(X h3 ip -6 neigh show 2001:db8::1)(empty = none created)"
echo "-- h3 with accept_untracked_na=1 only, MAC changed back:"
X h3 sysctl -qw net.ipv6.conf.all.accept_untracked_na=1 net.ipv6.conf.nic.accept_untracked_na=1
X h1 ip link set nic address 02:00:00:00:00:01; sleep 1; echo "h3: $(X h3 ip -6 neigh show 2001:db8::1)(empty = none created)"
echo "-- h3 with accept_untracked_na=1 and forwarding=1, MAC changed again:"
X h3 sysctl -qw net.ipv6.conf.nic.forwarding=1
X h1 ip link set nic address 02:00:00:00:00:21; sleep 1; echo "h3: $(X h3 ip -6 neigh show 2001:db8::1)"
X h1 ip link set nic address 02:00:00:00:00:01; sleep 0.5
sec "neighbour state after a successful ping: how long REACHABLE; ip -6 neigh flush semantics"
X h2 ip -6 neigh show dev nic
X h2 ip -6 neigh replace 2001:db8::99 lladdr 02:00:00:00:00:99 dev nic nud permanent
echo "-- ip -6 neigh flush dev nic (permanent entry kept?):"; X h2 ip -6 neigh flush dev nic; X h2 ip -6 neigh show dev nic
echo "-- ip -6 neigh flush all:"; X h2 ip -6 neigh flush all; X h2 ip -6 neigh show dev nic
echo "-- ip -6 neigh flush nud all dev nic:"; X h2 ip -6 neigh flush nud all dev nic 2>&1; X h2 ip -6 neigh show dev nic
sec "NUD probe: a unicast NS and the flags of its NA (h2 uses a STALE entry for h1; probe after delay_first_probe_time 5 s)"
X h2 ip -6 neigh flush all; X h1 ip -6 neigh flush all
X h2 ping -6 -c1 -W1 -q 2001:db8::1 >/dev/null; X h2 ip -6 neigh change 2001:db8::1 dev nic nud stale 2>/dev/null
X h2 timeout 8 tcpdump -l -n -e -vv -i nic 'icmp6 and (ip6[40]==135 or ip6[40]==136)' 2>/dev/null > /tmp/v6cap.txt & sleep 0.4
X h2 ping -6 -c1 -W1 -q 2001:db8::1 >/dev/null; echo "h2 entry right after the ping: $(X h2 ip -6 neigh show 2001:db8::1)"
sleep 7; wait; grep -E 'solicitation|advertisement|Flags|link-address' /tmp/v6cap.txt
echo "h2 entry after the probe: $(X h2 ip -6 neigh show 2001:db8::1)"
