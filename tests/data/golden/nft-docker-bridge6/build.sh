#!/bin/sh
# lab nftdocker6, written by `vnetlab export --format ip`: builds the lab with iproute2 alone.
# Remove it with: ip -all netns delete  (or `vnetlab down nftdocker6`)
set -e
ip netns add nftdocker6-host
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker6-host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker6-host link set lo alias vnetlab:nftdocker6:host
ip netns add nftdocker6-c1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker6-c1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker6-c1 link set lo alias vnetlab:nftdocker6:c1
ip netns add nftdocker6-c2
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker6-c2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker6-c2 link set lo alias vnetlab:nftdocker6:c2
ip netns add nftdocker6-app1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker6-app1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker6-app1 link set lo alias vnetlab:nftdocker6:app1
ip netns add nftdocker6-app2
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker6-app2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker6-app2 link set lo alias vnetlab:nftdocker6:app2
ip netns add nftdocker6-vm1
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker6-vm1 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker6-vm1 link set lo alias vnetlab:nftdocker6:vm1
ip netns add nftdocker6-vm2
[ ! -d /proc/sys/net/bridge ] || ip netns exec nftdocker6-vm2 sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
ip -n nftdocker6-vm2 link set lo alias vnetlab:nftdocker6:vm2
ip -n nftdocker6-host -batch - <<'EOF'
link add name docker0 address 8e:44:87:0b:08:f5 type bridge stp_state 0
link add name vethc1 address 0e:96:64:02:27:5c type veth peer name eth0 address 12:88:0c:79:8b:6e netns nftdocker6-c1
link add name vethc2 address de:5c:e9:6b:7a:d5 type veth peer name eth0 address 5a:91:e5:9a:dd:f6 netns nftdocker6-c2
link add name br-app address da:51:ea:85:78:15 type bridge stp_state 0
link add name vetha1 address c2:fe:65:0f:52:d0 type veth peer name eth0 address 4e:31:db:50:cd:82 netns nftdocker6-app1
link add name vetha2 address 2a:01:2e:6c:be:a5 type veth peer name eth0 address d2:8d:c7:75:22:b9 netns nftdocker6-app2
link add name br-lab address ce:ba:d9:bf:5a:a5 type bridge stp_state 0
link add name tapvm1 address 6e:cc:f3:72:f7:86 type veth peer name eth0 address 96:a8:9e:6a:2c:ad netns nftdocker6-vm1
link add name tapvm2 address 16:4c:37:f1:e9:e0 type veth peer name eth0 address ea:9d:94:2f:f6:59 netns nftdocker6-vm2
link set dev vethc1 master docker0
link set dev vethc2 master docker0
link set dev vetha1 master br-app
link set dev vetha2 master br-app
link set dev tapvm1 master br-lab
link set dev tapvm2 master br-lab
EOF
ip netns exec nftdocker6-host sysctl -qw net.bridge.bridge-nf-call-iptables=1
ip netns exec nftdocker6-host sysctl -qw net.bridge.bridge-nf-call-ip6tables=1
ip -n nftdocker6-host -batch - <<'EOF'
address add 192.0.2.1/25 dev docker0
address add fd00:10::1/64 dev docker0
EOF
ip -n nftdocker6-c1 -batch - <<'EOF'
address add 192.0.2.2/25 dev eth0
address add fd00:10::2/64 dev eth0
EOF
ip -n nftdocker6-c2 -batch - <<'EOF'
address add 192.0.2.3/25 dev eth0
address add fd00:10::3/64 dev eth0
EOF
ip -n nftdocker6-app1 -batch - <<'EOF'
address add 192.0.2.130/25 dev eth0
address add fd00:20::130/64 dev eth0
EOF
ip -n nftdocker6-app2 -batch - <<'EOF'
address add 192.0.2.131/25 dev eth0
address add fd00:20::131/64 dev eth0
EOF
ip -n nftdocker6-vm1 -batch - <<'EOF'
address add 203.0.113.11/24 dev eth0
address add fd00:30::11/64 dev eth0
EOF
ip -n nftdocker6-vm2 -batch - <<'EOF'
address add 203.0.113.12/24 dev eth0
address add fd00:30::12/64 dev eth0
EOF
ip -n nftdocker6-host -batch - <<'EOF'
link set dev docker0 up
EOF
ip -n nftdocker6-c1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker6-host -batch - <<'EOF'
link set dev vethc1 up
EOF
ip -n nftdocker6-c2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker6-host -batch - <<'EOF'
link set dev vethc2 up
link set dev br-app up
EOF
ip -n nftdocker6-app1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker6-host -batch - <<'EOF'
link set dev vetha1 up
EOF
ip -n nftdocker6-app2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker6-host -batch - <<'EOF'
link set dev vetha2 up
link set dev br-lab up
EOF
ip -n nftdocker6-vm1 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker6-host -batch - <<'EOF'
link set dev tapvm1 up
EOF
ip -n nftdocker6-vm2 -batch - <<'EOF'
link set dev eth0 up
EOF
ip -n nftdocker6-host -batch - <<'EOF'
link set dev tapvm2 up
link set dev lo up
EOF
ip -n nftdocker6-c1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker6-c2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker6-app1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker6-app2 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker6-vm1 -batch - <<'EOF'
link set dev lo up
EOF
ip -n nftdocker6-vm2 -batch - <<'EOF'
link set dev lo up
EOF
printf '%s\n' 'table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "docker0" oifname "docker0" accept
    iifname "br-app" oifname "br-app" meta nfproto ipv4 accept
  }
}
' | ip netns exec nftdocker6-host nft -f -
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
vnetlab_wait nftdocker6-host nftdocker6-c1 nftdocker6-c2 nftdocker6-app1 nftdocker6-app2 nftdocker6-vm1 nftdocker6-vm2
