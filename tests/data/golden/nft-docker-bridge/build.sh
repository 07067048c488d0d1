#!/bin/sh
# lab nftdocker, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftdocker`)
set -e
ip netns add nftdocker-host
ip netns exec nftdocker-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker-host link set lo alias vnetlab:nftdocker:host
ip netns add nftdocker-c1
ip netns exec nftdocker-c1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker-c1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker-c1 link set lo alias vnetlab:nftdocker:c1
ip netns add nftdocker-c2
ip netns exec nftdocker-c2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker-c2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker-c2 link set lo alias vnetlab:nftdocker:c2
ip netns add nftdocker-app1
ip netns exec nftdocker-app1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker-app1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker-app1 link set lo alias vnetlab:nftdocker:app1
ip netns add nftdocker-app2
ip netns exec nftdocker-app2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker-app2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker-app2 link set lo alias vnetlab:nftdocker:app2
ip netns add nftdocker-vm1
ip netns exec nftdocker-vm1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker-vm1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker-vm1 link set lo alias vnetlab:nftdocker:vm1
ip netns add nftdocker-vm2
ip netns exec nftdocker-vm2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker-vm2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker-vm2 link set lo alias vnetlab:nftdocker:vm2
ip netns add nftdocker-ext
ip netns exec nftdocker-ext sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker-ext sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker-ext link set lo alias vnetlab:nftdocker:ext
ip -n nftdocker-host -batch - <<'EOF'
link add name docker0 address b6:2a:85:23:8a:d8 type bridge stp_state 0
link add name vethc1 address ca:bb:34:77:92:36 type veth peer name eth0 address 76:c4:21:ee:77:a2 netns nftdocker-c1
link add name vethc2 address 32:d4:c1:57:35:b2 type veth peer name eth0 address 9e:50:ae:2b:a0:fd netns nftdocker-c2
link add name br-app address 6e:e7:bb:9f:ac:06 type bridge stp_state 0
link add name vetha1 address 8e:44:59:c3:25:a5 type veth peer name eth0 address a2:14:81:f1:61:ee netns nftdocker-app1
link add name vetha2 address d6:42:db:01:74:36 type veth peer name eth0 address 8e:29:d2:6e:37:7d netns nftdocker-app2
link add name br-lab address 9a:08:34:57:48:b4 type bridge stp_state 0
link add name tapvm1 address ca:76:ec:4c:ee:9c type veth peer name eth0 address d2:3a:e9:38:73:fb netns nftdocker-vm1
link add name tapvm2 address 6a:31:18:c3:27:a4 type veth peer name eth0 address 42:ce:2c:85:e7:22 netns nftdocker-vm2
link add name eth0 address 2a:9b:41:f5:1d:b6 type veth peer name eth0 address 46:58:45:26:34:ba netns nftdocker-ext
link set dev vethc1 master docker0
link set dev vethc2 master docker0
link set dev vetha1 master br-app
link set dev vetha2 master br-app
link set dev tapvm1 master br-lab
link set dev tapvm2 master br-lab
EOF
ip netns exec nftdocker-host sysctl -qw net.ipv4.ip_forward=1
ip netns exec nftdocker-host sysctl -qw net.bridge.bridge-nf-call-iptables=1
ip -n nftdocker-host -batch - <<'EOF'
address add 192.0.2.1/25 dev docker0
address add 192.0.2.129/25 dev br-app
address add 198.51.100.1/24 dev eth0
EOF
ip -n nftdocker-c1 -batch - <<'EOF'
address add 192.0.2.2/25 dev eth0
EOF
ip -n nftdocker-c2 -batch - <<'EOF'
address add 192.0.2.3/25 dev eth0
EOF
ip -n nftdocker-app1 -batch - <<'EOF'
address add 192.0.2.130/25 dev eth0
EOF
ip -n nftdocker-app2 -batch - <<'EOF'
address add 192.0.2.131/25 dev eth0
EOF
ip -n nftdocker-vm1 -batch - <<'EOF'
address add 203.0.113.11/24 dev eth0
EOF
ip -n nftdocker-vm2 -batch - <<'EOF'
address add 203.0.113.12/24 dev eth0
EOF
ip -n nftdocker-ext -batch - <<'EOF'
address add 198.51.100.10/24 dev eth0
EOF
ip -n nftdocker-host -batch - <<'EOF'
link set dev docker0 up
EOF
ip -n nftdocker-c1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker-host -batch - <<'EOF'
link set dev vethc1 up
EOF
ip -n nftdocker-c2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker-host -batch - <<'EOF'
link set dev vethc2 up
link set dev br-app up
EOF
ip -n nftdocker-app1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker-host -batch - <<'EOF'
link set dev vetha1 up
EOF
ip -n nftdocker-app2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker-host -batch - <<'EOF'
link set dev vetha2 up
link set dev br-lab up
EOF
ip -n nftdocker-vm1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker-host -batch - <<'EOF'
link set dev tapvm1 up
EOF
ip -n nftdocker-vm2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker-host -batch - <<'EOF'
link set dev tapvm2 up
EOF
ip -n nftdocker-ext -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker-host -batch - <<'EOF'
link set dev eth0 up
link set dev lo up
EOF
ip -n nftdocker-c1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker-c2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker-app1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker-app2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker-vm1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker-vm2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker-ext -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker-c1 -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftdocker-c2 -batch - <<'EOF'
route add default via 192.0.2.1 proto static
EOF
ip -n nftdocker-app1 -batch - <<'EOF'
route add default via 192.0.2.129 proto static
EOF
ip -n nftdocker-app2 -batch - <<'EOF'
route add default via 192.0.2.129 proto static
EOF
ip -n nftdocker-ext -batch - <<'EOF'
route add 192.0.2.0/24 via 198.51.100.1 proto static
EOF
printf '%s\n' 'table ip filter {
  chain FORWARD {
    type filter hook forward priority filter; policy drop;
    jump DOCKER-USER
    jump DOCKER-ISOLATION-STAGE-1
    oifname "docker0" ct state related,established accept
    oifname "docker0" jump DOCKER
    iifname "docker0" oifname != "docker0" accept
    iifname "docker0" oifname "docker0" accept
    oifname "br-app" ct state related,established accept
    oifname "br-app" jump DOCKER
    iifname "br-app" oifname != "br-app" accept
    iifname "br-app" oifname "br-app" drop
  }
  chain DOCKER {
  }
  chain DOCKER-ISOLATION-STAGE-1 {
    iifname "docker0" oifname != "docker0" jump DOCKER-ISOLATION-STAGE-2
    iifname "br-app" oifname != "br-app" jump DOCKER-ISOLATION-STAGE-2
  }
  chain DOCKER-ISOLATION-STAGE-2 {
    oifname "docker0" drop
    oifname "br-app" drop
  }
  chain DOCKER-USER {
  }
}
table ip nat {
  chain POSTROUTING {
    type nat hook postrouting priority srcnat; policy accept;
    oifname != "docker0" ip saddr 192.0.2.0/25 masquerade
    oifname != "br-app" ip saddr 192.0.2.128/25 masquerade
  }
}
' | ip netns exec nftdocker-host nft -f -
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
vnetlab_wait nftdocker-host nftdocker-c1 nftdocker-c2 nftdocker-app1 nftdocker-app2 nftdocker-vm1 nftdocker-vm2 nftdocker-ext
