import fcntl
import os
import select
import socket
import struct
import subprocess
import time

TUNSETIFF=0x400454ca; IFF_TAP=0x0002; IFF_NO_PI=0x1000
fd=os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', b'tapx', IFF_TAP|IFF_NO_PI))
sh=lambda c: subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
sh('sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; ip link set tapx address 02:00:00:00:09:01; ip addr add 10.9.0.1/24 dev tapx; ip link set tapx up; ip link set lo up')
time.sleep(0.5)
print('with fd attached:', sh('ip -br link show tapx'))
subprocess.Popen('ping -c1 -W1 10.9.0.2 >/dev/null 2>&1', shell=True)
r,_,_=select.select([fd],[],[],2)
if r:
    f=os.read(fd,2000); print('read from fd: dst=%s src=%s type=%s len=%d'%(f[0:6].hex(':'),f[6:12].hex(':'),f[12:14].hex(),len(f)))
    # craft ARP reply from 10.9.0.2 / 02:..:09:02
    peer=bytes.fromhex('020000000902'); me=f[6:12]
    arp=struct.pack('!HHBBH',1,0x0800,6,4,2)+peer+socket.inet_aton('10.9.0.2')+me+socket.inet_aton('10.9.0.1')
    os.write(fd, me+peer+b'\x08\x06'+arp)
    time.sleep(0.3)
    print('neigh after writing ARP reply into fd:', sh('ip neigh show 10.9.0.2'))
    r,_,_=select.select([fd],[],[],2)
    if r:
        f=os.read(fd,2000); print('next frame from fd: dst=%s type=%s (ICMP echo expected, ethertype 0800)'%(f[0:6].hex(':'),f[12:14].hex()))
os.close(fd)
time.sleep(0.5)
print('after fd closed (non-persistent device):', sh('ip -br link show tapx') or 'device gone')
