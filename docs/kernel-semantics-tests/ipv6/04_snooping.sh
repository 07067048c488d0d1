#!/bin/bash
# Q4: bridge multicast snooping vs IPv6 ND. 3 hosts on a bridge; h3 is "silent": an nft rule in h3
# drops its own MLD reports (as a guest without MLD would), so the bridge never learns h3's groups.
. "$(dirname "$0")/lib6.sh"
uname -r
silent() { X $1 nft -f - <<'NFT'
table ip6 f {
  chain o {
    type filter hook output priority 0;
    icmpv6 type { mld-listener-report, mld2-listener-report } drop
  }
}
NFT
}
setup() { # extra bridge args
  mksw "$@"; mkns h1 h2 h3
  for i in 1 2 3; do hostport h$i nic 02:00:00:00:00:0$i swp$i; X h$i ip -6 addr add 2001:db8::$i/64 dev nic; done
  silent h3
  for i in 1 2 3; do X h$i ip link set nic up; done
  sleep 2.5
}
teardown() { for n in h1 h2 h3 h4 sw; do ip netns del $P-$n 2>/dev/null; done; }
flushn() { for i in 1 2 3 4; do X h$i ip -6 neigh flush all 2>/dev/null; done; }
matrix() { local r=""; for s in 1 2 3; do for d in 1 2 3; do [ $s = $d ] && continue; flushn; r+=" h$s>h$d=$(ping6t h$s 2001:db8::$d)"; done; done; echo "$1:$r"; }
show() { echo "  bridge: $(X sw ip -d link show br0 | grep -o -E 'mcast_snooping [0-9]|mcast_querier [0-9]' | tr '\n' ' ')"; echo "  mdb:"; X sw bridge mdb show | sed 's/^/    /'; }

sec "A: defaults (multicast_snooping 1, multicast_querier 0)"
setup; show; matrix "cold"; sleep 1; matrix "again"
teardown

sec "B: multicast_querier 1 set at creation (bridge has IPv6 LL); probe at intervals after setup"
mksw mcast_querier 1; X sw ip -d link show br0 | grep -o -E 'mcast_query_response_interval [0-9]+|mcast_query_interval [0-9]+|mcast_startup_query_interval [0-9]+|mcast_membership_interval [0-9]+'; teardown
setup mcast_querier 1; t0=$(date +%s)
for k in 1 2 3 4 5 6; do
  flushn; echo "t=+$(( $(date +%s)-t0 ))s after DAD: h1>h2=$(ping6t h1 2001:db8::2) h1>h3(silent)=$(ping6t h1 2001:db8::3) h3>h1=$(ping6t h3 2001:db8::1)"; sleep 3
done
show
sec "B2: querier active: a host h4 joining later (reports on its own DAD) is reachable"
mkns h4; hostport h4 nic 02:00:00:00:00:04 swp4; X h4 ip -6 addr add 2001:db8::4/64 dev nic; X h4 ip link set nic up; sleep 2.5
flushn; echo "h1>h4=$(ping6t h1 2001:db8::4) h4>h1=$(ping6t h4 2001:db8::1) h4>h3(silent)=$(ping6t h4 2001:db8::3)"
echo "-- h1 flushes its mdb-relevant state: bridge mdb entries deleted for h2's group, h1>h2 again:"
X sw bridge mdb del dev br0 port swp2 grp ff02::1:ff00:2 2>&1; flushn; echo "h1>h2=$(ping6t h1 2001:db8::2)"
echo "-- swp3 marked multicast router (mcast_router 2): h1>h3(silent)"
X sw ip link set swp3 type bridge_slave mcast_router 2; flushn; echo "h1>h3=$(ping6t h1 2001:db8::3)"
X sw ip link set swp3 type bridge_slave mcast_router 1
echo "-- static mdb entry for h3's solicited-node group on swp3:"
X sw bridge mdb add dev br0 port swp3 grp ff02::1:ff00:3 permanent; flushn; echo "h1>h3=$(ping6t h1 2001:db8::3)"
teardown

sec "C: multicast_querier 1 but IPv6 disabled on the bridge device (own querier needs an IPv6 address)"
mksw mcast_querier 1; X sw sysctl -qw net.ipv6.conf.br0.disable_ipv6=1; mkns h1 h2 h3
for i in 1 2 3; do hostport h$i nic 02:00:00:00:00:0$i swp$i; X h$i ip -6 addr add 2001:db8::$i/64 dev nic; done; silent h3
for i in 1 2 3; do X h$i ip link set nic up; done; sleep 14
flushn; echo "t=+14s: h1>h2=$(ping6t h1 2001:db8::2) h1>h3(silent)=$(ping6t h1 2001:db8::3)"
teardown

sec "D: multicast_snooping 0, querier 1: flood"
setup mcast_snooping 0 mcast_querier 1; sleep 12; matrix "t=+14s"
teardown

sec "E: querier enabled on a running bridge (snooping 1), after the hosts did DAD; probes at intervals"
setup; X sw ip link set br0 type bridge mcast_querier 1; t0=$(date +%s)
for k in 1 2 3 4 5 6; do flushn; echo "t=+$(( $(date +%s)-t0 ))s: h1>h2=$(ping6t h1 2001:db8::2) h1>h3(silent)=$(ping6t h1 2001:db8::3)"; sleep 3; done
show
teardown
