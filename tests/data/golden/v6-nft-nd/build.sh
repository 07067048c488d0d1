#!/bin/sh
# lab v6nftnd, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6nftnd`)
set -e
ip netns add v6nftnd-s1
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftnd-s1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftnd-s1 link set lo alias vnetlab:v6nftnd:s1
ip netns add v6nftnd-a
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftnd-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftnd-a link set lo alias vnetlab:v6nftnd:a
ip netns add v6nftnd-b
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftnd-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftnd-b link set lo alias vnetlab:v6nftnd:b
ip netns add v6nftnd-c
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftnd-c sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftnd-c link set lo alias vnetlab:v6nftnd:c
ip netns add v6nftnd-d
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6nftnd-d sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6nftnd-d link set lo alias vnetlab:v6nftnd:d
ip -n v6nftnd-s1 -batch - <<'EOF'
link add name sw address a6:52:db:e6:e6:96 type bridge stp_state 0
EOF
ip -n v6nftnd-a -batch - <<'EOF'
link add name eth0 address f2:4a:05:d6:5e:3c type veth peer name p0 address 5a:ca:ab:1a:c9:df netns v6nftnd-s1
EOF
ip -n v6nftnd-b -batch - <<'EOF'
link add name eth0 address e2:e4:11:d7:05:7a type veth peer name p1 address 2e:58:31:87:1a:11 netns v6nftnd-s1
EOF
ip -n v6nftnd-c -batch - <<'EOF'
link add name eth0 address 76:ef:ad:5b:07:fa type veth peer name p2 address f6:b1:20:a5:80:3f netns v6nftnd-s1
EOF
ip -n v6nftnd-d -batch - <<'EOF'
link add name eth0 address 7a:62:b1:60:2f:d7 type veth peer name p3 address ce:94:d7:f6:e2:08 netns v6nftnd-s1
EOF
ip -n v6nftnd-s1 -batch - <<'EOF'
link set dev p0 master sw
link set dev p1 master sw
link set dev p2 master sw
link set dev p3 master sw
EOF
ip -n v6nftnd-a -batch - <<'EOF'
address add 192.0.2.1/24 dev eth0
address add 2001:db8::1/64 dev eth0
EOF
ip -n v6nftnd-b -batch - <<'EOF'
address add 192.0.2.2/24 dev eth0
address add 2001:db8::2/64 dev eth0
EOF
ip -n v6nftnd-c -batch - <<'EOF'
address add 192.0.2.3/24 dev eth0
address add 2001:db8::3/64 dev eth0
EOF
ip -n v6nftnd-d -batch - <<'EOF'
address add 192.0.2.4/24 dev eth0
address add 2001:db8::4/64 dev eth0
EOF
ip -n v6nftnd-s1 -batch - <<'EOF'
link set dev sw up
EOF
ip -n v6nftnd-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6nftnd-s1 -batch - <<'EOF'
link set dev p0 up
EOF
ip -n v6nftnd-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6nftnd-s1 -batch - <<'EOF'
link set dev p1 up
EOF
ip -n v6nftnd-c -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6nftnd-s1 -batch - <<'EOF'
link set dev p2 up
EOF
ip -n v6nftnd-d -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n v6nftnd-s1 -batch - <<'EOF'
link set dev p3 up
link set dev lo up
EOF
ip -n v6nftnd-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6nftnd-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6nftnd-c -batch - <<'EOF'
link set dev lo up
EOF
ip -n v6nftnd-d -batch - <<'EOF'
link set dev lo up
EOF
printf '%s\n' 'table ip6 filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established accept
    ct state untracked accept
  }
}
' | ip netns exec v6nftnd-b nft -f -
printf '%s\n' 'table inet filter {
  chain output {
    type filter hook output priority 0; policy drop;
    icmpv6 type { echo-request, echo-reply } accept
    meta l4proto icmp accept
  }
}
' | ip netns exec v6nftnd-c nft -f -
printf '%s\n' 'table ip6 filter {
  chain input {
    type filter hook input priority 0; policy drop;
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
    ip6 saddr 2001:db8::1 icmpv6 type echo-request reject
    iifname "eth0" accept
  }
  chain postrouting {
    type filter hook postrouting priority 0; policy accept;
    icmpv6 type echo-request iifname "eth0" drop
  }
}
' | ip netns exec v6nftnd-d nft -f -
# wait (at most 4 s) for carrier and IPv6 DAD, as `vnetlab up` does; report addresses that failed DAD
vnetlab_now() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
vnetlab_awk='$0 == "--" { addrs = 1; next }; !addrs { dev = $2; sub(/@.*/, "", dev); sub(/:$/, "", dev); name[$1] = dev; st = ""; for (k = 4; k < NF; k++) if ($k == "state") st = $(k + 1); up = $3 ~ /[<,]UP[,>]/; carrier = $3 ~ /[<,]LOWER_UP[,>]/ }; !addrs && up && carrier && (st == "DOWN" || st == "LOWERLAYERDOWN") { print "carrier not yet in effect on " dev }; !addrs && up && !carrier && (st == "UP" || st == "UNKNOWN") { print "carrier loss not yet in effect on " dev }; !addrs && up && carrier { ready[$1] = 1 }; addrs && ($1 in ready) { print "IPv6 address still tentative: " name[$1] " " $4 }'
vnetlab_busy() {
  { ip -n "$1" -o link show; echo --; ip -n "$1" -o -6 address show tentative -dadfailed 2>/dev/null; } | awk "$vnetlab_awk"
}
vnetlab_wait() {
  end=$(($(vnetlab_now) + 400))
  while :; do
    busy=
    for ns in "$@"; do
      left=$(vnetlab_busy "$ns")
      [ -z "$left" ] || { busy=$ns; break; }
    done
    [ -n "$busy" ] || break
    if [ "$(vnetlab_now)" -ge "$end" ]; then
      for ns in "$@"; do
        vnetlab_busy "$ns" | while read -r what; do
          printf '%s\n' "after the wait, in $ns: $what" >&2
        done
      done
      break
    fi
    sleep 0.05
  done
  for ns in "$@"; do
    ip -n "$ns" -o -6 address show dadfailed 2>/dev/null | while read -r _ dev _ addr _; do
      printf '%s\n' "IPv6 duplicate address detection failed: $ns/$dev $addr" >&2
    done
  done
}
vnetlab_wait v6nftnd-s1 v6nftnd-a v6nftnd-b v6nftnd-c v6nftnd-d
