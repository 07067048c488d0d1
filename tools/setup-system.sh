#!/usr/bin/env bash
# Install the system packages the test suite runs for real (ping, tcpdump,
# dot, the libvirt validator, nft, QEMU with a Debian kernel and busybox, headless
# Chromium and its driver for the HTML page's browser tests), on a Debian/Ubuntu machine, as root, only what is
# missing; quiet and idempotent. `make test` calls it first, so a fresh
# machine runs the whole suite instead of skipping for a missing package.
# Not root or not apt: say what is missing and go on (those tests then say
# which package they need).
set -uo pipefail
need=()
want() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
want ip iproute2
want ping iputils-ping
want tcpdump tcpdump
want dot graphviz
want virt-xml-validate libvirt-clients
want xmllint libxml2-utils
want nft nftables
want strace strace
want unshare util-linux
want qemu-system-x86_64 qemu-system-x86
want busybox busybox-static
want cpio cpio
want file file
want stress-ng stress-ng
want chromium chromium
want chromedriver chromium-driver
want systemd-nspawn systemd-container
ls /boot/vmlinuz-* >/dev/null 2>&1 || need+=(linux-image-amd64)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: missing ${need[*]} (run 'make test' as root on Debian/Ubuntu to install them)" >&2
  exit 0
fi
echo "setup-system: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
