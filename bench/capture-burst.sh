#!/usr/bin/env bash
# Bursts (issue #14, goal: k8scap keeps at least every packet plain tcpdump keeps, every row).
# Each real capture in ../shared/realdata/pcap (Ethernet ones; others are listed as skipped) is
# replayed at top speed (`tcpreplay --topspeed --loop N`) onto the docker lab pod's host veth while,
# on that interface at the same moment, plain `tcpdump -i VETH -w f` (buffered, libpcap's defaults)
# and `k8scap capture` of that pod capture it. Printed per file and loop count: packets tcpreplay
# sent, then packets kept by each and what each tcpdump said was dropped by the kernel.
# The veth may carry some other lab traffic too: every capture sees the same, so compare the columns,
# not a column with "sent".
# Each capture is stopped 1.5 s after the replay (libpcap's buffered ring hands packets over in blocks
# after at most 1 s); plain tcpdump gets SIGINT, k8scap SIGTERM.
# BENCH_VARIANTS adds tcpdump settings to compare, each NAME=ARGS, separated by ';', run as
# `tcpdump -U -w - -i VETH ARGS | cat >f` (k8scap's stream, without the SSH hop), e.g.
#   BENCH_VARIANTS='immediate=--immediate-mode;imm-B32M=--immediate-mode -B 32768'
# BENCH_K8SCAP_ARGS adds options to k8scap capture (e.g. '--snaplen 96'); BENCH_NO_K8SCAP=1 leaves it out.
# Needs root, the lab (tcpreplay is installed by scripts/lab/install.sh), a built k8scap (K8SCAP=…).
# Usage: sudo bench/capture-burst.sh [LOOPS...] (default: 1 10)     Prints a Markdown table.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
loops=("$@")
[ ${#loops[@]} -gt 0 ] || loops=(1 10)
command -v tcpreplay >/dev/null || { echo "bench: tcpreplay is not installed (scripts/lab/install.sh installs it)" >&2; exit 1; }
pcaps=${BENCH_PCAPS:-$here/../shared/realdata/pcap}
[ -d "$pcaps" ] || { echo "bench: no $pcaps (the shared real captures)" >&2; exit 1; }
ns=$(prop pod.docker.namespace pods.properties)
pod=$(prop pod.docker.name pods.properties)
iface=$(prop pod.docker.expect.hostIf pods.properties)
[ -z "${BENCH_NO_K8SCAP:-}" ] && start_api 0

declare -a vnames=() vargs=()
IFS=';' read -r -a _v <<<"${BENCH_VARIANTS:-}"
for v in "${_v[@]}"; do [ -n "$v" ] && { vnames+=("${v%%=*}"); vargs+=("${v#*=}"); }; done

pids=()
bench_cleanup_extra() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }

wait_for() { # FILE PATTERN: until FILE has a line with PATTERN (max 20 s)
  for _ in $(seq 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "bench: no '$2' in $1:" >&2; cat "$1" >&2; return 1
}
count() { capinfos -M -c "$1" 2>/dev/null | sed -n 's/^Number of packets: *//p' | tr -d ' ' || true; }
tcpdump_dropped() { sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel/\1/p' "$1" | head -1; }

# one_file PCAP LOOPS → one table row
one_file() {
  local f=$1 n=$2 name kp=
  name=$(basename "$f")
  rm -f "$work"/*.pcap "$work"/*.err
  if [ -z "${BENCH_NO_K8SCAP:-}" ]; then
    # shellcheck disable=SC2086 # BENCH_K8SCAP_ARGS is a list of options on purpose
    "$k8scap" capture --kubeconfig "$kubeconfig" -n "$ns" "$pod" "${ssh_opts[@]}" ${BENCH_K8SCAP_ARGS:-} \
      -w "$work/k8scap.pcap" --force >/dev/null 2>"$work/k8scap.err" </dev/null &
    kp=$!; pids+=("$kp")
    wait_for "$work/k8scap.err" "^capturing "
  fi
  tcpdump -i "$iface" -w "$work/plain.pcap" 2>"$work/plain.err" &
  local pp=$!; pids+=("$pp")
  local vp=() i
  for i in "${!vnames[@]}"; do
    # shellcheck disable=SC2086 # the variant's tcpdump arguments are a list on purpose
    tcpdump -U -w - -i "$iface" ${vargs[$i]} 2>"$work/v$i.err" > >(cat >"$work/v$i.pcap") &
    vp+=($!); pids+=($!)
  done
  wait_for "$work/plain.err" "listening on"
  for i in "${!vnames[@]}"; do wait_for "$work/v$i.err" "listening on"; done
  tcpreplay --topspeed --loop "$n" -i "$iface" "$f" >"$work/replay.out" 2>&1 || true
  sleep 1.5
  kill -INT "$pp" "${vp[@]}" 2>/dev/null || true
  [ -n "$kp" ] && kill -TERM "$kp" 2>/dev/null
  wait "$pp" "${vp[@]}" 2>/dev/null || true
  [ -n "$kp" ] && { wait "$kp" 2>/dev/null || true; }
  pids=()
  local sent failed row
  sent=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$work/replay.out")
  failed=$(sed -n 's/^[[:space:]]*Failed packets:[[:space:]]*\([0-9]*\).*/\1/p' "$work/replay.out")
  sent=$(( ${sent:-0} - ${failed:-0} ))
  row="| $name | $n | $sent | $(count "$work/plain.pcap") | $(tcpdump_dropped "$work/plain.err")"
  if [ -n "$kp" ]; then
    row="$row | $(count "$work/k8scap.pcap") | $(sed -n 's/.*node reported \([0-9,]*\) dropped by kernel.*/\1/p' "$work/k8scap.err" | tr -d ,)"
  fi
  for i in "${!vnames[@]}"; do
    row="$row | $(count "$work/v$i.pcap") | $(tcpdump_dropped "$work/v$i.err")"
  done
  echo "$row |"
}

k=${BENCH_NO_K8SCAP:+not run}; k=${k:-$k8scap ${BENCH_K8SCAP_ARGS:-}}
echo "machine: $(machine); interface $iface ($ns/$pod's host veth); k8scap: $k"
echo
head="| capture | loops | sent | plain tcpdump kept | plain dropped by kernel"
sep="|---|---|---|---|---"
[ -z "${BENCH_NO_K8SCAP:-}" ] && { head="$head | k8scap kept | k8scap: node reported dropped"; sep="$sep|---|---"; }
for v in "${vnames[@]}"; do head="$head | $v kept | $v dropped"; sep="$sep|---|---"; done
echo "$head |"
echo "$sep|"
skipped=()
for f in "$pcaps"/*.pcap; do
  if [ "$(capinfos -E -T -r "$f" | cut -f2)" != ether ]; then skipped+=("$(basename "$f")"); continue; fi
  for n in "${loops[@]}"; do one_file "$f" "$n"; done
done
[ ${#skipped[@]} -eq 0 ] || { echo; echo "skipped (not Ethernet, cannot be replayed onto a veth): ${skipped[*]}"; }
