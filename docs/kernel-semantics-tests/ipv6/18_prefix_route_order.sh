#!/bin/bash
. "$(dirname "$0")/lib6.sh"
uname -r
run() {  # $1: label; then the order of actions
  mkns h p d
  for n in h p d; do X $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0; done
  vpair h eth0 d eth0; vpair h pv0 p eth0
  X p ip link set eth0 up; X d ip link set eth0 up
  eval "$2"
  echo "-- $1: $(X h ip -6 route show 2001:db8:ee::/64 | awk '{print $3}' | tr '\n' ' ')"
  for n in h p d; do ip netns del $P-$n; done
}
run "addr eth0, addr pv0 (down); up pv0, up eth0" "X h ip addr add 2001:db8:ee::1:d/64 dev eth0; X h ip addr add 2001:db8:ee::2:d/64 dev pv0; X h ip link set pv0 up; X h ip link set eth0 up"
run "up eth0, up pv0; addr pv0, addr eth0" "X h ip link set eth0 up; X h ip link set pv0 up; X h ip addr add 2001:db8:ee::2:d/64 dev pv0; X h ip addr add 2001:db8:ee::1:d/64 dev eth0"
run "addr eth0 (down), up pv0, addr pv0, up eth0" "X h ip addr add 2001:db8:ee::1:d/64 dev eth0; X h ip link set pv0 up; X h ip addr add 2001:db8:ee::2:d/64 dev pv0; X h ip link set eth0 up"
