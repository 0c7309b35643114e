#!/usr/bin/env bash
# Start-up benchmark: `k8scap --help` and `k8scap locate` (one lab pod, over SSH, against the lab's
# mock API server) compared with `kubectl version --client`. Needs root and the lab
# (sudo scripts/lab.sh up) and an installed k8scap (scripts/install.sh); uses hyperfine when
# present, else a plain loop. Prints a Markdown table to paste into docs/performance.md.
# Usage: sudo bench/startup.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-10}
k8scap=${K8SCAP:-$(command -v k8scap || echo "$here/bin/k8scap")}
lab=${K8SCAP_LAB_DIR:-/var/lib/k8scap-lab}
[ -f "$lab/ssh.properties" ] || { echo "bench: the lab is not up (sudo scripts/lab.sh up)" >&2; exit 1; }
prop() { sed -n "s/^$1=//p" "$lab/$2"; }

work=$(mktemp -d)
cleanup() { [ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

(cd "$here" && mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null)
java -cp "$here/target/test-classes:$here/target/classes:$(cat "$work/cp")" io.k8scap.lab.LabApiServer "$work/kubeconfig" 2>"$work/api.log" &
api_pid=$!
for _ in $(seq 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
[ -s "$work/kubeconfig" ] || { cat "$work/api.log" >&2; exit 1; }

ns=$(prop pod.containerd.namespace pods.properties)
pod=$(prop pod.containerd.name pods.properties)
locate=("$k8scap" locate --kubeconfig "$work/kubeconfig" -n "$ns" "$pod" --ssh-config /dev/null
  --ssh-port "$(prop ssh.port ssh.properties)" --ssh-user root -i "$(prop ssh.identity ssh.properties)"
  --known-hosts "$(prop ssh.knownHosts ssh.properties)")
"${locate[@]}" >/dev/null   # must work before it is timed

median_ms() { # CMD... : median wall time of $runs runs, in ms
  local t=() s e
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    t+=($(( (e - s) / 1000000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "| command | median of $runs (ms) |"
echo "|---|---|"
if command -v kubectl >/dev/null; then echo "| \`kubectl version --client\` | $(median_ms kubectl version --client) |"; fi
echo "| \`k8scap --help\` | $(median_ms "$k8scap" --help) |"
echo "| \`k8scap locate\` (1 pod, SSH, mock API) | $(median_ms "${locate[@]}") |"
echo "| \`java -jar k8scap.jar --help\` (no CDS, default JVM flags) | $(median_ms java -jar "$here/target/k8scap.jar" --help) |"
