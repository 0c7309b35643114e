#!/usr/bin/env bash
# Time from a command's last output to its exit (issue #14, goal: ≤ 0.1 s), and for a capture with
# --duration D the time from its "capturing" line to its "stopped" line (goal: within 0.3 s of D).
# Commands: `--help`, `locate POD`, `capture POD --duration 1s` (the docker lab pod, quiet unless
# other work uses the lab). The last output is the last byte on stdout or stderr, read from pipes.
# Needs root and the lab; K8SCAP=… picks the k8scap to time.
# Usage: sudo bench/exit-delay.sh [RUNS]     Prints a Markdown table.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-5}
start_api 0
ns=$(prop pod.docker.namespace pods.properties)
pod=$(prop pod.docker.name pods.properties)
kc=(--kubeconfig "$kubeconfig")

# timed CMD... → "last-output→exit ms, capturing→stopped ms (or -)"
timed() {
  python3 - "$@" <<'EOF'
import os, selectors, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
sel = selectors.DefaultSelector()
sel.register(p.stdout, selectors.EVENT_READ); sel.register(p.stderr, selectors.EVENT_READ)
last = time.monotonic(); open_ = 2; err = b""; capturing = stopped = None
while open_:
    for k, _ in sel.select():
        b = os.read(k.fd, 65536)
        if not b:
            sel.unregister(k.fileobj); open_ -= 1; continue
        last = time.monotonic()
        if k.fileobj is p.stderr:
            err += b
            if capturing is None and b"\ncapturing " in b"\n" + err: capturing = last
            if stopped is None and b"\nstopped" in b"\n" + err: stopped = last
p.wait(); end = time.monotonic()
if p.returncode != 0:
    sys.stderr.write(err.decode(errors="replace")); sys.exit(1)
print(f"{(end - last) * 1000:.0f} {(stopped - capturing) * 1000:.0f}" if capturing and stopped else f"{(end - last) * 1000:.0f} -")
EOF
}

echo "machine: $(machine); k8scap: $k8scap; $runs runs each, alternating"
echo
echo "| command | last output → exit, median (ms) | min–max (ms) | capturing → stopped, median (ms) |"
echo "|---|---|---|---|"
names=("--help" "locate" "capture --duration 1s")
cmds=("$k8scap --help" "$k8scap locate ${kc[*]} -n $ns $pod ${ssh_opts[*]}"
  "$k8scap capture ${kc[*]} -n $ns $pod ${ssh_opts[*]} --duration 1s -w $work/c.pcap --force")
for i in "${!names[@]}"; do : >"$work/r$i"; done
for _ in $(seq "$runs"); do
  for i in "${!names[@]}"; do
    # shellcheck disable=SC2086 # each command line is split into words on purpose (no spaces in the lab's paths)
    timed ${cmds[$i]} >>"$work/r$i" || { echo "bench: ${names[$i]} failed" >&2; exit 1; }
  done
done
for i in "${!names[@]}"; do
  echo "| \`${names[$i]}\` | $(awk '{print $1}' "$work/r$i" | median) | $(awk '{print $1}' "$work/r$i" | sort -n | sed -n '1p;$p' | paste -sd- -) |" \
    "$(if grep -q ' -$' "$work/r$i"; then echo -; else awk '{print $2}' "$work/r$i" | median; fi) |"
done
