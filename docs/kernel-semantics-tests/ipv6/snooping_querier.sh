#!/bin/bash
# MLD snooping on a default Linux bridge: does a port that never reported a group still get
# that group's Neighbour Solicitations? h1 (2001:db8::1:0:5) and h2 (2001:db8::2:0:5) share one
# solicited-node group (ff02::1:ff00:5); h2's output chain drops its MLD reports, so the
# bridge's MDB lists the group on h1's port only. Then the same with the bridge as querier.
# Run in a sandbox: /work/shared/tools/sandbox.sh bash snooping_querier.sh
set -u
ip netns add sw
ip -n sw link add br0 type bridge
for h in h1 h2 h3; do
  ip netns add $h
  ip -n sw link add p$h type veth peer name eth0 netns $h
  ip -n sw link set p$h master br0 up
  ip -n $h link set lo up
done
ip -n h1 addr add 2001:db8::1:0:5/64 dev eth0
ip -n h2 addr add 2001:db8::2:0:5/64 dev eth0
ip -n h3 addr add 2001:db8::3/64 dev eth0
ip netns exec h2 nft -f - <<'NFT'
table ip6 f {
  chain out {
    type filter hook output priority 0;
    icmpv6 type { mld-listener-report, mld2-listener-report } drop
  }
}
NFT
ip -n sw link set br0 up
for h in h1 h2 h3; do ip -n $h link set eth0 up; done
sleep 3   # DAD and the unsolicited MLD reports
echo "== bridge: multicast_snooping $(cat /sys/class/net/br0/bridge/multicast_snooping 2>/dev/null || ip netns exec sw cat /sys/class/net/br0/bridge/multicast_snooping), multicast_querier $(ip netns exec sw cat /sys/class/net/br0/bridge/multicast_querier)"
echo "== bridge mdb (groups per port)"
ip netns exec sw bridge mdb show | sed 's/ *$//' | sort
echo "== h3 -> h2, no querier on the segment"
ip netns exec h3 ping -c1 -W1 2001:db8::2:0:5 >/dev/null && echo "reach" || echo "no reach"
echo "== the bridge becomes querier (multicast_querier 1; the bridge has a link-local address)"
ip -n sw link set br0 type bridge mcast_querier 1
sleep 11  # br_multicast_set_querier: delay_timer = query_response_interval (10 s) before it counts
ip -n h3 neigh flush dev eth0
echo "== bridge mdb"
ip netns exec sw bridge mdb show | sed 's/ *$//' | sort
echo "== h3 -> h2 with a querier: the NS goes only to ports that reported the group"
ip netns exec h3 ping -c1 -W1 2001:db8::2:0:5 >/dev/null && echo "reach" || echo "no reach"
echo "== h3 -> h1 with a querier"
ip netns exec h3 ping -c1 -W1 2001:db8::1:0:5 >/dev/null && echo "reach" || echo "no reach"
