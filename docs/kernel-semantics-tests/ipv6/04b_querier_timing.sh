#!/bin/bash
# Q4b: when does a Linux bridge's own MLD querier start restricting ND multicast to reporting ports?
# h3 is silent (drops its own MLD reports). Probe h1 -> h3 every 2 s.
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
flushn() { for i in 1 2 3; do X h$i ip -6 neigh flush all 2>/dev/null; done; }
run() { # $1 = "create" (querier at bridge creation) or "later" (set after hosts are up)
  local t0
  if [ $1 = create ]; then mksw mcast_querier 1; else mksw; fi
  t0=$(date +%s%N); echo "  bridge created at $(date +%T.%N | cut -c1-12)"
  mkns h1 h2 h3
  for i in 1 2 3; do hostport h$i nic 02:00:00:00:00:0$i swp$i; X h$i ip -6 addr add 2001:db8::$i/64 dev nic; done
  silent h3; for i in 1 2 3; do X h$i ip link set nic up; done
  X h2 tcpdump -l -n -i nic 'ip6[6]==0 and ip6[48]==130' 2>/dev/null > /tmp/v6q.txt &
  if [ $1 = later ]; then sleep 2.5; X sw ip link set br0 type bridge mcast_querier 1; t0=$(date +%s%N); echo "  querier set at $(date +%T.%N | cut -c1-12)"; fi
  local last=""
  for k in $(seq 24); do
    flushn; r=$(ping6t h1 2001:db8::3)
    [ "$r" != "$last" ] && echo "  t=$(( ($(date +%s%N)-t0)/1000000 )) ms: h1>h3(silent)=$r h1>h2=$(ping6t h1 2001:db8::2)"; last=$r
    sleep 1.5
  done
  echo "  bridge br0 became ready (LL not tentative) - see 'ip -6 addr show dev br0':"; X sw ip -6 addr show dev br0 | grep inet6
  echo "  MLD queries seen by h2 (first 3; h2's capture starts when its nic is up):"; head -3 /tmp/v6q.txt | sed 's/^/    /'
  kill %1 2>/dev/null; wait
  for n in h1 h2 h3 sw; do ip netns del $P-$n; done
}
sec "querier set at bridge creation; t counted from bridge creation"; run create
sec "querier set on a running bridge after hosts did DAD; t counted from setting it"; run later
