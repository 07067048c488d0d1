#!/bin/sh
# lab v6tap, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down v6tap`)
set -e
ip netns add v6tap-host
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6tap-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6tap-host link set lo alias vnetlab:v6tap:host
ip netns add v6tap-web
[ ! -d /proc/sys/net/bridge ] || ip netns exec v6tap-web sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n v6tap-web link set lo alias vnetlab:v6tap:web
ip -n v6tap-host -batch - <<'EOF'
link add name virbr0 address 2a:ea:5b:41:ef:a7 type bridge stp_state 0
tuntap add dev tap0 mode tap
link set dev tap0 address 2e:a8:46:2c:ed:3b
tuntap add dev tap1 mode tap
link set dev tap1 address ba:16:88:04:20:9a
tuntap add dev tap2 mode tap
link set dev tap2 address fe:5f:77:e1:36:91
link add name ve-web address 56:83:34:fb:b4:2b type veth peer name host0 address 96:d9:45:bd:26:9a netns v6tap-web
link set dev tap0 master virbr0
link set dev tap1 master virbr0
link set dev ve-web master virbr0
EOF
ip netns exec v6tap-host sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n v6tap-host -batch - <<'EOF'
address add 203.0.113.1/24 dev virbr0
address add 2001:db8:10::1/64 dev virbr0
address add 2001:db8:20::1/64 dev tap2
EOF
ip -n v6tap-web -batch - <<'EOF'
address add 203.0.113.20/24 dev host0
address add 2001:db8:10::20/64 dev host0
EOF
ip -n v6tap-host -batch - <<'EOF'
link set dev virbr0 up
link set dev tap0 up
link set dev tap1 up
link set dev tap2 up
EOF
ip -n v6tap-web -batch - <<'EOF'
link set dev host0 up
EOF
ip -n v6tap-host -batch - <<'EOF'
link set dev ve-web up
link set dev lo up
EOF
ip -n v6tap-web -batch - <<'EOF'
link set dev lo up
route add default via 203.0.113.1 proto static
route add default via 2001:db8:10::1 proto static
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
vnetlab_wait v6tap-host v6tap-web
