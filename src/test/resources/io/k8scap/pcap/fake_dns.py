#!/usr/bin/env python3
"""Tiny fake DNS for the pcap tests (UDP only, one question per message).

Server: fake_dns.py ADDR          answers on ADDR:53
  nx.k8scap.test.       -> NXDOMAIN   fail.k8scap.test. -> SERVFAIL
  refused.k8scap.test.  -> REFUSED    silent.k8scap.test. -> no answer at all
  anything else         -> NOERROR with A 10.99.77.53
Client: fake_dns.py --client ADDR sends one query per name above plus ok.k8scap.test.
"""
import socket
import struct
import sys
import time

RCODES = {"nx": 3, "fail": 2, "refused": 5}


def qname(labels):
    return b"".join(bytes([len(l)]) + l.encode() for l in labels) + b"\0"


def parse_name(msg, off):
    labels = []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode())
        off += 1 + n
    return labels, off + 1


def serve(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        msg, peer = s.recvfrom(512)
        qid, flags, qd = struct.unpack("!HHH", msg[:6])
        labels, end = parse_name(msg, 12)
        question = msg[12:end + 4]
        first = labels[0] if labels else ""
        if first == "silent":
            continue
        rcode = RCODES.get(first, 0)
        an = 1 if rcode == 0 else 0
        hdr = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, an, 0, 0)
        answer = b""
        if an:
            answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("10.99.77.53")
        s.sendto(hdr + question + answer, peer)


def client(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    for i, name in enumerate(["nx", "fail", "refused", "silent", "ok"]):
        q = struct.pack("!HHHHHH", 0x4b00 + i, 0x0100, 1, 0, 0, 0) + qname([name, "k8scap", "test"]) + struct.pack("!HH", 1, 1)
        s.sendto(q, (addr, 53))
        try:
            s.recvfrom(512)
        except socket.timeout:
            pass
    time.sleep(0.1)


if __name__ == "__main__":
    if sys.argv[1] == "--client":
        client(sys.argv[2])
    else:
        serve(sys.argv[1])
