#!/usr/bin/env bash
# How tcpdump's settings change what a stream capture delivers and when (issue #14): for each
# setting, run as k8scap runs tcpdump (`tcpdump -U -w - -i VETH SETTING`, stdout read by a pipe) on the
# docker lab pod's host veth, RUNS times:
#   first packet ms   one packet (zeek-tcp-syn.pcap) replayed onto the veth → its record read from
#                     tcpdump's stdout (median, max)
#   tail kept         afs.pcap (601 packets) replayed at top speed, SIGINT 0.1 s later: packets in the
#                     file (what a Ctrl+C or --duration right after a burst keeps; median)
#   stop ms           SIGINT → tcpdump exited (median)
# Settings: BENCH_SETTINGS, NAME=ARGS separated by ';' (default: libpcap's buffered ring, immediate
# mode, immediate mode with 8 and 32 MiB). Bursts: bench/capture-burst.sh; sustained load:
# bench/capture-throughput.sh (openssh+imm+BN tools). Needs root, the lab and tcpreplay.
# Usage: sudo bench/tcpdump-settings.sh [RUNS]     Prints a Markdown table.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-5}
pcaps=${BENCH_PCAPS:-$here/../shared/realdata/pcap}
iface=$(prop pod.docker.expect.hostIf pods.properties)
settings=${BENCH_SETTINGS:-buffered=;immediate=--immediate-mode;imm-B8M=--immediate-mode -B 8192;imm-B32M=--immediate-mode -B 32768}
echo "machine: $(machine); interface $iface; $runs runs per setting, settings alternating"
echo
echo "| setting | tcpdump options | first packet ms (median, max) | afs.pcap kept when stopped 0.1 s after its burst (of 601; median) | SIGINT → exit ms (median) |"
echo "|---|---|---|---|---|"
python3 - "$iface" "$runs" "$pcaps/zeek-tcp-syn.pcap" "$pcaps/afs.pcap" "$work" "$settings" <<'EOF'
import os, signal, statistics, subprocess, sys, threading, time
iface, runs, one, burst, work, settings = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
settings = [(s.split("=", 1)[0], s.split("=", 1)[1]) for s in settings.split(";") if s]

def start(args):
    p = subprocess.Popen(["tcpdump", "-U", "-w", "-", "-i", iface] + args.split(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stderr.readline()  # "listening on ..."
    if b"listening on" not in line:
        raise SystemExit("tcpdump did not start: " + line.decode())
    return p

def records(data):
    n, off = 0, 24
    while off + 16 <= len(data):
        caplen = int.from_bytes(data[off + 8:off + 12], "little")
        off += 16 + caplen
        if off <= len(data):
            n += 1
    return n

def replay(f):
    subprocess.run(["tcpreplay", "-q", "--topspeed", "-i", iface, f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

res = {name: {"first": [], "tail": [], "stop": []} for name, _ in settings}
for _ in range(runs):
    for name, args in settings:
        # first packet: read tcpdump's stdout until a whole record is there
        p = start(args)
        buf = bytearray(); got = threading.Event()
        def reader():
            while True:
                b = p.stdout.read1(65536)
                if not b: break
                buf.extend(b)
                if records(buf) >= 1: got.set()
        t = threading.Thread(target=reader, daemon=True); t.start()
        time.sleep(0.3)
        t0 = time.monotonic(); replay(one)
        got.wait(5); t1 = time.monotonic()
        res[name]["first"].append((t1 - t0) * 1000 if got.is_set() else 5000)
        p.send_signal(signal.SIGINT); p.wait(); t.join(2)
        # tail: burst, SIGINT 0.1 s later
        p = start(args)
        out = bytearray()
        t = threading.Thread(target=lambda: out.extend(p.stdout.read()), daemon=True); t.start()
        time.sleep(0.3)
        replay(burst); time.sleep(0.1)
        s0 = time.monotonic(); p.send_signal(signal.SIGINT); p.wait(); s1 = time.monotonic(); t.join(5)
        res[name]["tail"].append(records(out))
        res[name]["stop"].append((s1 - s0) * 1000)
for name, args in settings:
    r = res[name]
    print(f"| {name} | `{args or '(none)'}` | {statistics.median(r['first']):.0f}, {max(r['first']):.0f} | "
          f"{statistics.median(r['tail']):.0f} | {statistics.median(r['stop']):.0f} |")
EOF
