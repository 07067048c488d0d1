#!/bin/sh
# lab natnomasq, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down natnomasq`)
set -e
ip netns add natnomasq-lanhost
ip netns exec natnomasq-lanhost sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natnomasq-lanhost sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natnomasq-lanhost link set lo alias vnetlab:natnomasq:lanhost
ip netns add natnomasq-r
ip netns exec natnomasq-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natnomasq-r sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natnomasq-r link set lo alias vnetlab:natnomasq:r
ip netns add natnomasq-inet
ip netns exec natnomasq-inet sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec natnomasq-inet sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n natnomasq-inet link set lo alias vnetlab:natnomasq:inet
ip -n natnomasq-lanhost -batch - <<'EOF'
link add name eth0 address 36:85:64:64:ed:c7 type veth peer name lan address 52:85:ae:b8:e4:72 netns natnomasq-r
EOF
ip -n natnomasq-r -batch - <<'EOF'
link add name wan address 4a:a9:09:97:83:42 type veth peer name eth0 address 8e:a2:3d:0a:06:ab netns natnomasq-inet
EOF
ip -n natnomasq-lanhost -batch - <<'EOF'
address add 192.0.2.10/24 dev eth0
EOF
ip netns exec natnomasq-r sysctl -qw net.ipv4.ip_forward=1
ip -n natnomasq-r -batch - <<'EOF'
address add 192.0.2.1/24 dev lan
address add 198.51.100.1/24 dev wan
EOF
ip -n natnomasq-inet -batch - <<'EOF'
address add 198.51.100.20/24 dev eth0
EOF
ip -n natnomasq-r -batch - <<'EOF'
link set dev lan up
EOF
ip -n natnomasq-lanhost -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natnomasq-inet -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n natnomasq-r -batch - <<'EOF'
link set dev wan up
EOF
ip -n natnomasq-lanhost -batch - <<'EOF'
link set dev lo up
EOF
ip -n natnomasq-r -batch - <<'EOF'
link set dev lo up
EOF
ip -n natnomasq-inet -batch - <<'EOF'
link set dev lo up
EOF
ip -n natnomasq-lanhost -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
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
vnetlab_wait natnomasq-lanhost natnomasq-r natnomasq-inet
