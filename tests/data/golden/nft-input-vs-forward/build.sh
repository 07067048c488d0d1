#!/bin/sh
# lab nftinput, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftinput`)
set -e
ip netns add nftinput-a
ip netns exec nftinput-a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftinput-a sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftinput-a link set lo alias vnetlab:nftinput:a
ip netns add nftinput-r
ip netns exec nftinput-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftinput-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftinput-r link set lo alias vnetlab:nftinput:r
ip netns add nftinput-b
ip netns exec nftinput-b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftinput-b sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftinput-b link set lo alias vnetlab:nftinput:b
ip -n nftinput-a -batch - <<'EOF'
link add name eth0 address d6:c6:a2:55:7c:ce type veth peer name a address be:a1:df:4d:3a:49 netns nftinput-r
EOF
ip -n nftinput-r -batch - <<'EOF'
link add name b address de:b5:7a:a5:37:49 type veth peer name eth0 address e6:a7:cd:13:ea:95 netns nftinput-b
EOF
ip -n nftinput-a -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec nftinput-r sysctl -qw net.ipv4.ip_forward=1
ip -n nftinput-r -batch - <<'EOF'
address add 192.0.2.1/24 dev a
address add 198.51.100.1/24 dev b
EOF
ip -n nftinput-b -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n nftinput-r -batch - <<'EOF'
link set dev a up
EOF
ip -n nftinput-a -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftinput-b -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftinput-r -batch - <<'EOF'
link set dev b up
EOF
ip -n nftinput-a -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftinput-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftinput-b -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftinput-a -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftinput-b -batch - <<'EOF'
route add default via 198.51.100.1 proto static
EOF
printf '%s\n' 'table ip filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established accept
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
  }
}
' | ip netns exec nftinput-r nft -f -
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
vnetlab_wait nftinput-a nftinput-r nftinput-b
