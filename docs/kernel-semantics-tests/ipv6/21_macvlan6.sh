#!/bin/bash
# Q21 (issue #13, macvlan/macvtap IPv6, complements 05/05b): test bed of 05 (switch br0 in netns sw,
# host "nic" 02:..:01 on swp1, peer 02:..:64 (2001:db8::100) on swp2, children moved to netns a, b).
# (1) per-device mc_filter: rx multicast counters of a child that did not join a solicited-node group
#     (the peer resolves a's ::11; b is a sibling that has not joined ff02::1:ff00:11);
# (2) passthru and source children behind a hairpin port: DAD of their own addresses
#     (enhanced DAD nonce) and of the parent, reachability;
# (3) VEPA + hairpin, enhanced_dad 0 everywhere: the child's own reflected NS fails DAD;
# (4) macvtap (no reader): the same cells as macvlan bridge/private.
. "$(dirname "$0")/lib6.sh"
KIND=${KIND:-macvlan}
uname -r
NSL="sw host a b peer"
clean() { for n in $NSL; do ip netns del $P-$n 2>/dev/null; done; }
base() { clean; mksw; mkns host a b peer
  hostport host nic 02:00:00:00:00:01 swp1; X sw ip link set swp1 type bridge_slave hairpin $1
  hostport peer eth0 02:00:00:00:00:64 swp2
  X host ip -6 addr add 2001:db8::1/64 dev nic; X host ip link set nic up
  X peer ip -6 addr add 2001:db8::100/64 dev eth0; X peer ip link set eth0 up; }
mkchild() { local name=$1 ns=$2 mac=$3 ip=$4 mode=$5 kind=${6:-macvlan}
  X host ip link add $name link nic address $mac type $kind mode $mode
  X host ip link set $name netns $P-$ns
  [ -n "$ip" ] && X $ns ip -6 addr add $ip/64 dev $name; X $ns ip link set $name up; }
flushall() { for n in host a b peer; do X $n ip -6 neigh flush all 2>/dev/null; done; for p in swp1 swp2; do X sw bridge fdb flush dev $p dynamic 2>/dev/null; done; }
mcrx() { X $1 cat /sys/class/net/$2/statistics/multicast; }
st() { local o; o=$(X $1 ip -6 -o addr show dev $2); case "$o" in *"$3"*dadfailed*) echo dadfailed;; *"$3"*tentative*) echo tentative;; *"$3"*) echo ok;; *) echo none;; esac; }

sec "(1) mc_filter: does sibling b count a's solicited-node NS? (mode bridge, hairpin off)"
for m in bridge vepa private; do
  base off; mkchild mva a 02:00:00:00:00:0a 2001:db8::11 $m; mkchild mvb b 02:00:00:00:00:0b 2001:db8::12 $m; sleep 2.5
  flushall; a0=$(mcrx a mva); b0=$(mcrx b mvb); n0=$(mcrx host nic)
  r=$(ping6t peer 2001:db8::11)
  echo "mode=$m peer->a=$r  multicast rx: a +$(( $(mcrx a mva)-a0 )) b +$(( $(mcrx b mvb)-b0 )) nic +$(( $(mcrx host nic)-n0 ))"
  X a ip maddr show dev mva | grep -c inet6 | sed 's/^/  a joined inet6 groups: /'
done

sec "(2) passthru child behind a hairpin port"
base on; mkchild mva a 02:00:00:00:00:0a 2001:db8::11 passthru; sleep 3
echo "a: ll=$(st a mva fe80::ff:fe00:1) ::11=$(st a mva 2001:db8::11)  parent: ll=$(st host nic fe80::ff:fe00:1) ::1=$(st host nic 2001:db8::1)"
flushall; echo "a->peer=$(ping6t a 2001:db8::100) peer->a=$(ping6t peer 2001:db8::11) host->peer=$(ping6t host 2001:db8::100) peer->host=$(ping6t peer 2001:db8::1) host->a=$(ping6t host 2001:db8::11)"
sec "(2b) passthru child added while the parent's DAD is running (hairpin on)"
clean; mksw; mkns host a b peer
hostport host nic 02:00:00:00:00:01 swp1; X sw ip link set swp1 type bridge_slave hairpin on
hostport peer eth0 02:00:00:00:00:64 swp2; X peer ip link set eth0 up
X host ip link add mva link nic type macvlan mode passthru; X host ip link set mva netns $P-a
X host ip link set nic up; X a ip link set mva up; sleep 3
echo "together: a ll=$(st a mva fe80::ff:fe00:1) parent ll=$(st host nic fe80::ff:fe00:1)"

sec "(2c) source child (lists the peer's MAC) behind a hairpin port"
base on; mkchild mva a 02:00:00:00:00:0a 2001:db8::11 source; X a ip link set mva type macvlan macaddr add 02:00:00:00:00:64; sleep 3
echo "a: ll=$(st a mva fe80::ff:fe00:a) ::11=$(st a mva 2001:db8::11) parent ::1=$(st host nic 2001:db8::1)"
flushall; echo "peer->a=$(ping6t peer 2001:db8::11) a->peer=$(ping6t a 2001:db8::100) host->a=$(ping6t host 2001:db8::11) a->host=$(ping6t a 2001:db8::1) host->peer=$(ping6t host 2001:db8::100)"

sec "(3) enhanced_dad 0 on all and default, VEPA child behind a hairpin port"
for m in vepa private bridge passthru; do
  base on
  for n in a; do X $n sysctl -qw net.ipv6.conf.all.enhanced_dad=0 net.ipv6.conf.default.enhanced_dad=0; done
  mkchild mva a 02:00:00:00:00:0a 2001:db8::11 $m; sleep 3
  echo "mode=$m: a ::11=$(st a mva 2001:db8::11)"
done

sec "(4) macvtap without a reader, hairpin off: bridge pair and private pair"
for m in bridge private; do
  base off; mkchild mta a 02:00:00:00:00:0a 2001:db8::11 $m macvtap; mkchild mtb b 02:00:00:00:00:0b 2001:db8::12 $m macvtap; sleep 2.5
  X a ip -6 -o addr show dev mta | awk '{print "  a", $4}'
  flushall; echo "mode=$m a->b=$(ping6t a 2001:db8::12) a->peer=$(ping6t a 2001:db8::100) host->a=$(ping6t host 2001:db8::11)"
done
clean
