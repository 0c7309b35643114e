#!/bin/sh
# Records the real captures used by the io.k8scap.pcap tests (needs root, tcpdump, busybox, nft, python3).
# Usage: record-traffic.sh OUTDIR
# Two network namespaces k8scap-pcaphelper-a/-b joined by a veth pair (10.99.77.0/24, fd00:9977::/64),
# removed on exit. Traffic: HTTP (busybox httpd + wget), connect to a closed port (RST), UDP to a closed
# port over IPv4 and IPv6 (ICMP/ICMPv6 port unreachable), a SYN to a port dropped by nft (never
# answered), DNS to a fake responder (NXDOMAIN, SERVFAIL, REFUSED, one never answered), a TCP transfer
# with ~1/3 of its data segments dropped by nft (retransmissions),
# UDP into a tun device (raw IP, answered with ICMP port unreachable).
set -eu
OUT=${1:?usage: record-traffic.sh OUTDIR}
A=k8scap-pcaphelper-a
B=k8scap-pcaphelper-b
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/k8scap-pcaphelper.XXXXXX)
cleanup() {
    for p in $(cat "$WORK"/pids 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    sleep 0.3
    ip netns del "$A" 2>/dev/null || true
    ip netns del "$B" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
ip netns del "$A" 2>/dev/null || true
ip netns del "$B" 2>/dev/null || true
ip netns add "$A"
ip netns add "$B"
ip link add k8scappa type veth peer name k8scappb
ip link set k8scappa netns "$A"
ip link set k8scappb netns "$B"
ip -n "$A" link set k8scappa address 02:00:00:00:77:01
ip -n "$B" link set k8scappb address 02:00:00:00:77:02
ip -n "$A" addr add 10.99.77.1/24 dev k8scappa
ip -n "$B" addr add 10.99.77.2/24 dev k8scappb
ip -n "$A" addr add fd00:9977::1/64 dev k8scappa nodad
ip -n "$B" addr add fd00:9977::2/64 dev k8scappb nodad
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set k8scappa up
ip -n "$B" link set k8scappb up
# raw-IP link (LINKTYPE_RAW): a tun device in A; a UDP packet written into it from 10.99.79.2 to a closed
# port of 10.99.79.1 makes the kernel answer ICMP port unreachable back through the tun
ip -n "$A" tuntap add dev k8scaptun mode tun
ip -n "$A" addr add 10.99.79.1/30 dev k8scaptun
ip -n "$A" link set k8scaptun up
ip netns exec "$B" nft -f - <<'NFT'
table inet k8scappcap {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 8081 drop
    tcp dport 8082 meta length > 200 numgen random mod 3 == 0 drop
  }
}
NFT
mkdir -p "$WORK/www"
printf 'hello from k8scap pcap test\n' > "$WORK/www/index.html"
ip netns exec "$B" busybox httpd -f -p 10.99.77.2:8080 -h "$WORK/www" & echo $! >> "$WORK/pids"
ip netns exec "$B" python3 "$HERE/fake_dns.py" 10.99.77.2 & echo $! >> "$WORK/pids"
ip netns exec "$B" python3 -c '
import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("10.99.77.2",8082)); s.listen(1)
c,_=s.accept()
while c.recv(65536): pass
' & echo $! >> "$WORK/pids"
sleep 0.5
# -U: packet-buffered, as k8scap runs it
ip netns exec "$A" tcpdump -U -n -i k8scappa -w "$OUT/eth.pcap" 2>"$WORK/t1" & echo $! >> "$WORK/pids"; T1=$!
ip netns exec "$A" tcpdump -U -n -i any --time-stamp-precision=nano -w "$OUT/sll2-nanos.pcap" 'not ip proto 4' 2>"$WORK/t2" & echo $! >> "$WORK/pids"; T2=$!
ip netns exec "$B" tcpdump -U -n -i any -y LINUX_SLL -w "$OUT/sll.pcap" 'not ip proto 4' 2>"$WORK/t3" & echo $! >> "$WORK/pids"; T3=$!
ip netns exec "$A" tcpdump -U -n -i k8scaptun -w "$OUT/rawip.pcap" 2>"$WORK/t4" & echo $! >> "$WORK/pids"; T4=$!
sleep 1.5
# HTTP over TCP
ip netns exec "$A" timeout 5 busybox wget -q -O - http://10.99.77.2:8080/ >/dev/null
# connect to a closed port: RST
ip netns exec "$A" python3 -c '
import socket
try: socket.create_connection(("10.99.77.2", 9), timeout=2)
except OSError: pass'
# UDP to a closed port: ICMP / ICMPv6 port unreachable
ip netns exec "$A" python3 -c '
import socket, time
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"ping4", ("10.99.77.2", 7777))
s6=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s6.sendto(b"ping6", ("fd00:9977::2", 7777))
time.sleep(0.3)'
# SYN to a port nft drops: never answered (the kernel retransmits the SYN after 1 s)
ip netns exec "$A" python3 -c '
import socket
try: socket.create_connection(("10.99.77.2", 8081), timeout=1.5)
except OSError: pass'
# DNS: NXDOMAIN, SERVFAIL, REFUSED, no answer, one good answer
ip netns exec "$A" python3 "$HERE/fake_dns.py" --client 10.99.77.2
# TCP with data segments dropped: retransmissions
ip netns exec "$A" python3 -c '
import socket
s=socket.create_connection(("10.99.77.2", 8082), timeout=10)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
import time
for i in range(30):
    s.send(b"x" * 400); time.sleep(0.01)
time.sleep(1.5)
s.close()'
ip netns exec "$A" python3 -c '
import fcntl, os, socket, struct, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"k8scaptun", 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN|IFF_NO_PI
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
for i in range(2):
    payload = b"over-tun %d" % i
    udp = struct.pack("!HHHH", 40000 + i, 7777, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     socket.inet_aton("10.99.79.2"), socket.inet_aton("10.99.79.1"))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    os.write(fd, ip + udp)
    time.sleep(0.1)
time.sleep(0.3)'
sleep 1
kill -INT $T1 $T2 $T3 $T4
wait $T1 $T2 $T3 $T4 2>/dev/null || true
cat "$WORK"/t1 "$WORK"/t2 "$WORK"/t3 "$WORK"/t4 >&2
chmod 0644 "$OUT"/*.pcap
