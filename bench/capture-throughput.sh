#!/usr/bin/env bash
# Delivered throughput under heavy traffic (issue #3, goal: k8scap ≥ 0.95× plain OpenSSH
# `ssh node 'tcpdump -U -w - -i IF' > file`, with no more kernel drops).
# Traffic: an unthrottled bulk TCP transfer (python3 sockets, zeros) from the docker pod to the
# containerd pod for SECONDS; captured on the docker pod's host veth, by `k8scap capture --duration`
# and by OpenSSH (default client cipher; then aes128-gcm, JSch's choice) running `timeout -s INT`
# around tcpdump so both stop cleanly and print tcpdump's counters. Variants, to find where time
# goes: openssh-aes128gcm = OpenSSH with JSch's cipher; openssh-immediate = tcpdump
# --immediate-mode, as k8scap ran it until issue #14; any other tool openssh+OPT+OPT… runs OpenSSH with
# tcpdump options: imm = --immediate-mode, BN = -B N (KiB), e.g. openssh+imm+B32768. Besides packets/s and MB/s, which follow how fast the
# unthrottled sender ran and how the kernel batched its segments, it prints the share of the
# packets tcpdump saw that reached the file (written / (written + dropped by kernel), all runs).
# BENCH_TOOLS="openssh k8scap" picks some; the first is the reference for the ratio. Each capture starts, says it is
# listening, then the traffic runs; runs alternate. With the default snaplen and with -s 96.
# Needs root, the lab, an installed k8scap (K8SCAP=…). K8SCAP_JAVA_OPTS is passed on (to try flags).
# Usage: sudo bench/capture-throughput.sh [RUNS] [SECONDS]     Prints Markdown tables.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
secs=${2:-15}
start_api 0
tools=(${BENCH_TOOLS:-openssh k8scap openssh-aes128gcm openssh-immediate})
ns=$(prop pod.docker.namespace pods.properties)
pod=$(prop pod.docker.name pods.properties)
iface=$(prop pod.docker.expect.hostIf pods.properties)

wait_for() { # FILE PATTERN: until FILE has a line with PATTERN (max 20 s)
  for _ in $(seq 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "bench: no '$2' in $1:" >&2; cat "$1" >&2; return 1
}

# one_run TOOL SNAPLEN → "packets bytes dropped traffic_bytes cpu_s maxrss_kb" on stdout
one_run() {
  local tool=$1 snap=$2 f=$work/cap.pcap e=$work/cap.err t=$work/cap.time pid pk dr
  rm -f "$f" "$e"
  case $tool in
    k8scap)
      /usr/bin/time -f '%U %S %M' -o "$t" "$k8scap" capture --kubeconfig "$kubeconfig" -n "$ns" "$pod" "${ssh_opts[@]}" \
        --snaplen "$snap" --duration "$((secs + 2))s" -w "$f" --force >/dev/null 2>"$e" &
      pid=$!; wait_for "$e" "^capturing " ;;
    openssh*)
      local c=() im=
      [ "$tool" = openssh-aes128gcm ] && c=(-c aes128-gcm@openssh.com)
      [ "$tool" = openssh-immediate ] && im=--immediate-mode
      if [[ $tool == openssh+* ]]; then
        local o opts
        IFS=+ read -r -a opts <<<"${tool#openssh+}"
        for o in "${opts[@]}"; do case $o in imm) im="$im --immediate-mode" ;; B*) im="$im -B ${o#B}" ;; esac; done
      fi
      /usr/bin/time -f '%U %S %M' -o "$t" "${openssh[@]}" "${c[@]}" \
        "exec timeout -s INT $((secs + 2)) tcpdump -U -w - -s $snap -i $iface $im" >"$f" 2>"$e" &
      pid=$!; wait_for "$e" "listening on" ;;
  esac
  traffic_start "$secs"
  traffic_wait
  wait "$pid" || true
  pk=$(capinfos -M -c "$f" 2>/dev/null | sed -n 's/^Number of packets: *//p')
  if [[ $tool == k8scap* ]]; then dr=$(sed -n 's/.*node reported \([0-9,]*\) dropped by kernel.*/\1/p' "$e" | tr -d ,)
  else dr=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel/\1/p' "$e"); fi
  read -r u s m < <(tail -1 "$t")
  echo "${pk:-0} $(stat -c %s "$f") ${dr:-?} $traffic_bytes $(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}') $m"
}

echo "machine: $(machine); k8scap: $k8scap ${K8SCAP_JAVA_OPTS:+(K8SCAP_JAVA_OPTS=$K8SCAP_JAVA_OPTS)}; $runs runs of ${secs} s traffic each, alternating; medians"
for snap in 262144 96; do
  echo
  echo "snaplen $snap:"
  echo
  echo "| capture | packets/s delivered | MB/s delivered | dropped by kernel | traffic MB/s | client CPU s | client max RSS MB | vs OpenSSH default (packets/s) | tcpdump's packets delivered | vs OpenSSH (share) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for tool in "${tools[@]}"; do : >"$work/$tool.res"; done
  for _ in $(seq "$runs"); do
    for tool in "${tools[@]}"; do one_run "$tool" "$snap" >>"$work/$tool.res"; done
  done
  base=
  base_share=
  for tool in "${tools[@]}"; do
    # the share of the packets tcpdump saw that reached the file, over all runs: unlike packets/s it
    # does not follow how fast the unthrottled sender happened to be, nor how the kernel batched it
    # ("?" when a run did not report its drops: counting them as 0 would flatter that tool)
    share=$(awk '$3 == "?" {u = 1} {w += $1; d += $3} END {if (u || !(w + d)) print "?"; else printf "%.4f", w / (w + d)}' "$work/$tool.res")
    [ -z "$base_share" ] && base_share=$share
    col() { awk -v c="$1" '{print $c}' "$work/$tool.res" | median; }
    pps=$(( $(col 1) / secs ))
    [ -z "$base" ] && base=$pps
    echo "| $tool | $pps | $(awk -v b="$(col 2)" -v s="$secs" 'BEGIN {printf "%.1f", b / s / 1e6}') | $(col 3) |" \
      "$(awk -v b="$(col 4)" -v s="$secs" 'BEGIN {printf "%.0f", b / s / 1e6}') | $(awk '{print $5}' "$work/$tool.res" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') |" \
      "$(( $(col 6) / 1024 )) | $(awk -v a="$pps" -v b="$base" 'BEGIN {printf "%.2f", a / b}') |" \
      "$(awk -v a="$share" 'BEGIN {if (a == "?") print "?"; else printf "%.1f %%", 100 * a}') |" \
      "$(awk -v a="$share" -v b="$base_share" 'BEGIN {if (a == "?" || b == "?") print "-"; else printf "%.2f", a / b}') |"
  done
  echo
  echo "raw (packets bytes dropped traffic-bytes cpu-s rss-kB per run):"
  for tool in "${tools[@]}"; do echo "- $tool: $(paste -sd';' "$work/$tool.res")"; done
done
