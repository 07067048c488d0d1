#!/bin/bash
# Run with /work/shared/tools/sandbox.sh. Does writing net.ipv6.conf.all.disable_ipv6=1 in a fresh namespace also set default's?
unshare -n sh -c 'echo "fresh: all=$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6) default=$(cat /proc/sys/net/ipv6/conf/default/disable_ipv6)"; echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo "after all=1: all=$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6) default=$(cat /proc/sys/net/ipv6/conf/default/disable_ipv6) lo=$(cat /proc/sys/net/ipv6/conf/lo/disable_ipv6)"; ip link add v0 type veth peer name v1; echo "new veth: $(cat /proc/sys/net/ipv6/conf/v0/disable_ipv6) $(cat /proc/sys/net/ipv6/conf/v1/disable_ipv6)"'
uname -r >&2
# net/ipv6/addrconf.c, addrconf_disable_ipv6(): a write to all.disable_ipv6 sets
# devconf_dflt->disable_ipv6 too, then every existing device (addrconf_disable_change)
