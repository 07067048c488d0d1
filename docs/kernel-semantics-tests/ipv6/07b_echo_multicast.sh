#!/bin/bash
# Q7b: ICMPv6 echo to multicast (all-nodes) and to the subnet-router anycast; which per-device knobs exist.
. "$(dirname "$0")/lib6.sh"
uname -r
mksw; mkns h1 h2 h3
for i in 1 2 3; do hostport h$i nic 02:00:00:00:00:0$i swp$i; X h$i ip -6 addr add 2001:db8::$i/64 dev nic; X h$i ip link set nic up; done
sleep 2.5
sec "h1: ping -6 -w2 ff02::1%nic (echo_ignore_multicast=0 by default): who answers"
X h1 ping -6 -w2 ff02::1%nic 2>&1 | grep -E 'bytes from' | awk '{print $4}' | sort -u
sec "the same with h2 echo_ignore_multicast=1"
X h2 sysctl -qw net.ipv6.icmp.echo_ignore_multicast=1
X h1 ping -6 -w2 ff02::1%nic 2>&1 | grep -E 'bytes from' | awk '{print $4}' | sort -u
sec "IPv4 for comparison: broadcast echo ignored by default"
X h1 sysctl net.ipv4.icmp_echo_ignore_broadcasts
sec "per-device forwarding knobs present on this kernel"
X h1 sysctl -a 2>/dev/null | grep -E 'net.ipv6.conf.nic.(forwarding|force_forwarding|proxy_ndp|accept_untracked_na|drop_unsolicited_na|ndisc_notify|accept_dad|enhanced_dad)'
sec "force_forwarding (per ingress device) with all.forwarding=0: router r between h1 and h2"
for n in h1 h2 h3 sw; do ip netns del $P-$n; done
mkns h1 r h2
ip link add eth0 netns $P-h1 type veth peer name e1 netns $P-r; ip link add eth0 netns $P-h2 type veth peer name e2 netns $P-r
X h1 ip -6 addr add 2001:db8:1::1/64 dev eth0 nodad; X r ip -6 addr add 2001:db8:1::ff/64 dev e1 nodad
X h2 ip -6 addr add 2001:db8:2::2/64 dev eth0 nodad; X r ip -6 addr add 2001:db8:2::ff/64 dev e2 nodad
for n in h1 h2; do X $n ip link set eth0 up; done; X r ip link set e1 up; X r ip link set e2 up
X h1 ip -6 route add default via 2001:db8:1::ff; X h2 ip -6 route add default via 2001:db8:2::ff; sleep 2.2
echo "all=0, force_forwarding e1=0 e2=0: h1->h2 $(ping6t h1 2001:db8:2::2)"
X r sysctl -qw net.ipv6.conf.e1.force_forwarding=1
echo "all=0, force_forwarding e1=1 e2=0: h1->h2 $(ping6t h1 2001:db8:2::2) (the reply enters on e2)"
X r sysctl -qw net.ipv6.conf.e2.force_forwarding=1
echo "all=0, force_forwarding e1=1 e2=1: h1->h2 $(ping6t h1 2001:db8:2::2)"
echo "e1.forwarding now reads: $(X r sysctl -n net.ipv6.conf.e1.forwarding)"
