#!/usr/bin/env bash
# Baseline for bench/capture-latency.sh: the seed's manual way to capture one pod's traffic, done by a
# script the slow way — two kubectl calls, then one OpenSSH connection per step on the node:
#   kubectl get pod (JSON)        → node name, container ID, runtime
#   kubectl get node (JSON)       → node InternalIP
#   ssh: docker ps | grep POD     (containerd: ctr -n k8s.io containers ls | grep ID)
#   ssh: docker inspect -f {{.State.Pid}} ID   (containerd: ctr -n k8s.io task ls | grep ID)
#   ssh: nsenter -t PID -n ip addr              → eth0@ifN
#   ssh: ip addr | grep '^N:'                   → host-side interface
#   ssh: tcpdump -U -w - -i IFACE > OUT         (runs until killed; says "listening on" on stderr)
# kubectl talks to the lab's mock API server with `get --raw` (the mock answers the GETs but not
# kubectl's discovery, so `kubectl get pod NAME` would fail; --raw skips discovery, which makes the
# baseline faster than on a real cluster). Before exec'ing tcpdump the remote shell prints
# "k8scap-bench: remote pid PID" on stderr so a benchmark can end that tcpdump afterwards (plain
# OpenSSH leaves it running on a quiet interface — the bug issue #3 is about).
# Usage: bench/seed-baseline.sh KUBECONFIG NAMESPACE POD [OUT]   (SSH_PORT, SSH_KEY, SSH_KNOWN_HOSTS,
#        SSH_USER from the environment; defaults: the lab's, and its k8scap-plain login when it has
#        one: root with a shell that does nothing, as on a real node)
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
kubeconfig=$1 ns=$2 pod=$3 out=${4:-/dev/null}
lab=${K8SCAP_LAB_DIR:-/var/lib/k8scap-lab}
prop() { sed -n "s/^$1=//p" "$lab/$2"; }
port=${SSH_PORT:-$(prop ssh.port ssh.properties)}
key=${SSH_KEY:-$(prop ssh.identity ssh.properties)}
known=${SSH_KNOWN_HOSTS:-$(prop ssh.knownHosts ssh.properties)}
user=${SSH_USER:-$(prop ssh.plainUser ssh.properties)}
[ -n "$user" ] || { [ "$(getent passwd k8scap-plain | cut -d: -f3)" = 0 ] && user=k8scap-plain; } || true
user=${user:-root}
kc=(kubectl --kubeconfig "$kubeconfig" --cache-dir "${TMPDIR:-/tmp}/k8scap-bench-kubectl-cache")

podjson=$("${kc[@]}" get --raw "/api/v1/namespaces/$ns/pods/$pod")
node=$(jq -r .spec.nodeName <<<"$podjson")
cid=$(jq -r '.status.containerStatuses[0].containerID' <<<"$podjson")
cname=$(jq -r '.status.containerStatuses[0].name' <<<"$podjson")
nodejson=$("${kc[@]}" get --raw "/api/v1/nodes/$node")
addr=$(jq -r '.status.addresses[] | select(.type == "InternalIP") | .address' <<<"$nodejson")
node_ssh() { ssh -F /dev/null -p "$port" -i "$key" -o UserKnownHostsFile="$known" -o StrictHostKeyChecking=yes \
  -o BatchMode=yes -o LogLevel=ERROR "$user@$addr" "$@"; }

id=${cid#*://}
case $cid in
  docker://*)
    line=$(node_ssh "docker ps | grep 'k8s_${cname}_${pod}_${ns}_'")
    id=${line%% *}
    pid=$(node_ssh "docker inspect -f '{{.State.Pid}}' $id")
    ;;
  containerd://*)
    node_ssh "ctr -n k8s.io containers ls | grep $id" >/dev/null
    pid=$(node_ssh "ctr -n k8s.io task ls | grep $id" | awk '{print $2}')
    ;;
  *) echo "seed-baseline: runtime of $cid not handled" >&2; exit 1 ;;
esac
peer=$(node_ssh "nsenter -t $pid -n ip addr" | sed -n 's/^[0-9]*: eth0@if\([0-9]*\):.*/\1/p')
iface=$(node_ssh "ip addr | grep '^$peer:'" | sed -n 's/^[0-9]*: \([^:@]*\)[@:].*/\1/p')
echo "seed-baseline: $ns/$pod on $node ($addr): pid $pid, eth0@if$peer, host side $iface" >&2
exec ssh -F /dev/null -p "$port" -i "$key" -o UserKnownHostsFile="$known" -o StrictHostKeyChecking=yes \
  -o BatchMode=yes -o LogLevel=ERROR "$user@$addr" "echo k8scap-bench: remote pid \$\$ >&2; exec tcpdump -U -w - -i $iface" >"$out"
