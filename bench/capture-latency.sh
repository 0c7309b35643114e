#!/usr/bin/env bash
# Time from command to tcpdump listening on the node (issue #3, goal: k8scap ≤ 0.4× the seed's way).
# k8scap: from process start until it prints "capturing … → FILE" on stderr, which it does once the
# node's tcpdump has said "listening on". Baseline: bench/seed-baseline.sh (kubectl + one OpenSSH
# connection per step) until its tcpdump says "listening on". Both are then stopped; the baseline's
# tcpdump, which plain OpenSSH leaves running on the node, is killed by its PID. Runs alternate.
# Needs root, the lab, and an installed k8scap (scripts/install.sh; K8SCAP=… to pick one).
# Usage: sudo bench/capture-latency.sh [RUNS]     Prints Markdown tables.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-10}
start_api 0

kill_baseline_tcpdump() {
  local p
  p=$(sed -n 's/^k8scap-bench: remote pid \([0-9]*\)$/\1/p' "$work/last.stderr")
  if [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = tcpdump ]; then kill "$p"; fi
}

echo "machine: $(machine); k8scap: $k8scap; $runs runs each, alternating"
echo
echo "| pod (runtime) | seed-baseline.sh median (ms) | k8scap capture median (ms) | ratio k8scap/baseline | k8scap min–max (ms) | baseline min–max (ms) |"
echo "|---|---|---|---|---|---|"
for key in containerd docker; do
  ns=$(prop "pod.$key.namespace" pods.properties)
  pod=$(prop "pod.$key.name" pods.properties)
  k=("$k8scap" capture --kubeconfig "$kubeconfig" -n "$ns" "$pod" "${ssh_opts[@]}" -w "$work/k.pcap" --force)
  b=("$here/bench/seed-baseline.sh" "$kubeconfig" "$ns" "$pod" "$work/b.pcap")
  # warm-up (page cache, sshd, containerd), not counted; both must work
  [ "$(ms_until "capturing " "${k[@]}")" -ge 0 ] || { cat "$work/last.stderr" >&2; exit 1; }
  [ "$(ms_until "listening on" "${b[@]}")" -ge 0 ] || { cat "$work/last.stderr" >&2; exit 1; }
  kill_baseline_tcpdump
  : >"$work/k.ms"; : >"$work/b.ms"
  for _ in $(seq "$runs"); do
    ms_until "capturing " "${k[@]}" >>"$work/k.ms"
    ms_until "listening on" "${b[@]}" >>"$work/b.ms"
    kill_baseline_tcpdump
  done
  km=$(median <"$work/k.ms"); bm=$(median <"$work/b.ms")
  echo "| $ns/$pod ($key) | $bm | $km | $(awk -v k="$km" -v b="$bm" 'BEGIN {printf "%.2f", k / b}') |" \
    "$(sort -n "$work/k.ms" | sed -n '1p;$p' | paste -sd- -) | $(sort -n "$work/b.ms" | sed -n '1p;$p' | paste -sd- -) |"
done
