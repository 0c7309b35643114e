#!/usr/bin/env bash
# Peak memory (issue #3, goal: the same RSS for a 1 MB and a 1 GB capture, single and merged).
# Maximum resident set size (/usr/bin/time -v) of the k8scap JVM for `capture --max-size 1M` and
# `--max-size 1G` of the bulk TCP traffic of bench/lib.sh (docker pod → containerd pod), for one pod
# (lab/web…, a pcap) and for two pods merged into one pcapng (bench-0 and bench-1 = the docker and
# the containerd pod, -l b2=y; both veths see the same transfer). Traffic runs until k8scap stops.
# Needs root, the lab, an installed k8scap (K8SCAP=…); ~2 GB free in TMPDIR.
# Usage: sudo [BENCH_SIZES="1M 1G 4G"] bench/capture-memory.sh [RUNS]     Prints a Markdown table.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
start_api 2
ns=$(prop pod.docker.namespace pods.properties)
pod=$(prop pod.docker.name pods.properties)

echo "machine: $(machine); k8scap: $k8scap; $runs runs each; JVM flags: the launcher's for capture (Serial GC, -Xmx256m -Xmn80m -XX:SurvivorRatio=3 -XX:TargetSurvivorRatio=80)${K8SCAP_JAVA_OPTS:+ plus $K8SCAP_JAVA_OPTS}"
echo
echo "| capture | --max-size | file size (MB) | packets | seconds | max RSS median (MB) | max RSS min–max (MB) |"
echo "|---|---|---|---|---|---|---|"
for mode in single merged; do
  for size in ${BENCH_SIZES:-1M 1G}; do
    : >"$work/rss"; : >"$work/info"
    for _ in $(seq "$runs"); do
      if [ $mode = single ]; then target=(-n "$ns" "$pod"); out=$work/m.pcap; else target=(-n bench -l b2=y); out=$work/m.pcapng; fi
      rm -f "$out"
      traffic_start 300
      s=${EPOCHREALTIME/./}
      /usr/bin/time -v -o "$work/time" "$k8scap" capture --kubeconfig "$kubeconfig" "${target[@]}" "${ssh_opts[@]}" \
        --max-size "$size" --duration 120s -w "$out" --force 2>"$work/err" >/dev/null || { cat "$work/err" >&2; }
      e=${EPOCHREALTIME/./}
      kill "$traffic_tx" 2>/dev/null || true
      traffic_wait
      sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time" >>"$work/rss"
      echo "$(stat -c %s "$out") $(capinfos -M -c "$out" | sed -n 's/^Number of packets: *//p') $(( (e - s) / 1000 ))" >>"$work/info"
    done
    read -r bytes pk ms < <(tail -1 "$work/info")
    echo "| $mode$([ $mode = merged ] && echo ' (2 pods)') | $size | $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}') | $pk |" \
      "$(awk -v m="$ms" 'BEGIN {printf "%.1f", m / 1000}') | $(( $(median <"$work/rss") / 1024 )) |" \
      "$(( $(sort -n "$work/rss" | head -1) / 1024 ))-$(( $(sort -n "$work/rss" | tail -1) / 1024 )) |"
  done
done
