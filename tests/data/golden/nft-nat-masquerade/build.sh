#!/bin/sh
# lab natmasq, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down natmasq`)
set -e
ip netns add natmasq-lanhost
ip netns exec natmasq-lanhost sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natmasq-lanhost sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natmasq-lanhost link set lo alias vnetlab:natmasq:lanhost
ip netns add natmasq-r
ip netns exec natmasq-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natmasq-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natmasq-r link set lo alias vnetlab:natmasq:r
ip netns add natmasq-inet
ip netns exec natmasq-inet sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natmasq-inet sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natmasq-inet link set lo alias vnetlab:natmasq:inet
ip -n natmasq-lanhost -batch - <<'EOF'
link add name eth0 address 72:bb:41:19:eb:02 type veth peer name lan address 4e:b2:f5:4d:a0:7e netns natmasq-r
EOF
ip -n natmasq-r -batch - <<'EOF'
link add name wan address 52:ae:95:e6:13:2c type veth peer name eth0 address ce:28:3e:6a:bb:8f netns natmasq-inet
EOF
ip -n natmasq-lanhost -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec natmasq-r sysctl -qw net.ipv4.ip_forward=1
ip -n natmasq-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev wan
EOF
ip -n natmasq-inet -batch - <<'EOF'
address add 198.51.100.20/24 dev eth0
EOF
ip -n natmasq-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n natmasq-lanhost -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natmasq-inet -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natmasq-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n natmasq-lanhost -batch - <<'EOF'
link set dev lo up
EOF
ip -n natmasq-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n natmasq-inet -batch - <<'EOF'
link set dev lo up
EOF
ip -n natmasq-lanhost -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
printf '%s\n' 'table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade
  }
}
' | ip netns exec natmasq-r nft -f -
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
vnetlab_wait natmasq-lanhost natmasq-r natmasq-inet
