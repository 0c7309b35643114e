#!/usr/bin/env bash
# N pods on one node (issue #3, goal: time to first packet roughly independent of N).
# Measures, for N = 1, 2, 4, 8 pods on lab-node-1, the time from process start until k8scap has
# printed its N-th "capturing … → FILE" line, i.e. every pod's tcpdump says "listening on"
# (packets are captured from then on), and until the first of them. The lab has two veth pods; the
# bench API server (io.k8scap.bench.BenchApiServer) adds pods bench-0…7 in namespace bench that point
# at the docker and the containerd pod's containers alternately (same containerID), so N pods means
# N tcpdumps over one SSH session, N/2 on each of the two host veths. Selected with -l bN=y.
# Needs root, the lab, an installed k8scap (K8SCAP=…).
# Usage: sudo bench/capture-pods.sh [RUNS]     Prints a Markdown table.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-10}
start_api 8

echo "machine: $(machine); k8scap: $k8scap; $runs runs each"
echo
echo "| pods on one node | first pod listening, median (ms) | all pods listening, median (ms) | all: min–max (ms) | vs 1 pod (all) |"
echo "|---|---|---|---|---|"
base=
for n in 1 2 4 8; do
  k=("$k8scap" capture --kubeconfig "$kubeconfig" -n bench -l "b$n=y" "${ssh_opts[@]}" -w "$work/p.pcapng" --force)
  MS_UNTIL_COUNT=$n ms_until "capturing " "${k[@]}" >/dev/null   # warm-up; must work
  [ "$(grep -c '^capturing ' "$work/last.stderr")" -ge "$n" ] || { cat "$work/last.stderr" >&2; exit 1; }
  : >"$work/first.ms"; : >"$work/all.ms"
  for _ in $(seq "$runs"); do
    MS_UNTIL_COUNT=$n ms_until "capturing " "${k[@]}" >>"$work/all.ms"
    ms_until "capturing " "${k[@]}" >>"$work/first.ms"
  done
  a=$(median <"$work/all.ms")
  [ -z "$base" ] && base=$a
  echo "| $n | $(median <"$work/first.ms") | $a | $(sort -n "$work/all.ms" | sed -n '1p;$p' | paste -sd- -) |" \
    "$(awk -v a="$a" -v b="$base" 'BEGIN {printf "%.2f", a / b}') |"
done
