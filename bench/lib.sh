# Shared by the capture benchmarks (bench/capture-*.sh); sourced, not run. Needs root and the lab
# (sudo scripts/lab.sh up). Provides:
#   $here $lab $work $k8scap   repo root, lab state dir, a temp dir removed on exit, the k8scap to time
#   prop KEY FILE               a value from the lab's state files
#   ssh_opts (array)            k8scap's node-access options for lab-node-1
#   openssh (array)             plain OpenSSH to lab-node-1 (no config file, host key verified)
#   bench_user                  the node login both use: the lab's k8scap-plain (root, with a shell
#                               that does nothing, as on a real node) when the lab has it, else root;
#                               BENCH_SSH_USER=root measures through root's own shell start-up
#                               (this machine's root .bashrc runs pyenv: ≈ 0.3 s per SSH command)
#   start_api [CLONES]          the lab's mock API server (io.k8scap.bench.BenchApiServer: the lab pods
#                               plus CLONES pods in namespace bench pointing at the lab's containers);
#                               sets $kubeconfig; BENCH_API_TLS=1 serves it over https (self-signed,
#                               the kubeconfig skips verification) instead of plain http
#   median                      median of the numbers on stdin
#   ms_until PATTERN CMD...     runs CMD, prints the ms from its start until a line of its stderr
#                               contains PATTERN (the $MS_UNTIL_COUNT-th such line, default 1), then stops it (SIGTERM) and waits for it; -1 if never.
#                               All its stderr lines are left in $work/last.stderr
#   machine                     one line describing this machine
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lab=${K8SCAP_LAB_DIR:-/var/lib/k8scap-lab}
[ -f "$lab/ssh.properties" ] || { echo "bench: the lab is not up (sudo scripts/lab.sh up)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (the node side is this machine)" >&2; exit 1; }
k8scap=${K8SCAP:-$(command -v k8scap || echo "$here/bin/k8scap")}
prop() { sed -n "s/^$1=//p" "$lab/$2"; }

work=$(mktemp -d /tmp/k8scap-bench.XXXXXX)
bench_cleanup() {
  [ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null
  if declare -F bench_cleanup_extra >/dev/null; then bench_cleanup_extra; fi
  if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap bench_cleanup EXIT

ssh_port=$(prop ssh.port ssh.properties)
ssh_key=$(prop ssh.identity ssh.properties)
ssh_known=$(prop ssh.knownHosts ssh.properties)
ssh_addr=$(prop ssh.address ssh.properties)
plain_user=$(prop ssh.plainUser ssh.properties)
# (a lab brought up by an older scripts/lab/sshd.sh has the user but does not name it)
[ -n "$plain_user" ] || { [ "$(getent passwd k8scap-plain | cut -d: -f3)" = 0 ] && plain_user=k8scap-plain; } || true
bench_user=${BENCH_SSH_USER:-${plain_user:-root}}
export SSH_USER=$bench_user   # bench/seed-baseline.sh
ssh_opts=(--ssh-config /dev/null --ssh-port "$ssh_port" --ssh-user "$bench_user" -i "$ssh_key" --known-hosts "$ssh_known")
openssh=(ssh -F /dev/null -p "$ssh_port" -i "$ssh_key" -o UserKnownHostsFile="$ssh_known" -o StrictHostKeyChecking=yes
  -o BatchMode=yes -o LogLevel=ERROR "$bench_user@$ssh_addr")

start_api() { # [CLONES]
  (cd "$here" && mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null 2>&1) || { echo "bench: mvn test-compile failed" >&2; exit 1; }
  kubeconfig=$work/kubeconfig
  java -cp "$here/target/test-classes:$here/target/classes:$(cat "$work/cp")" io.k8scap.bench.BenchApiServer ${BENCH_API_TLS:+--https} "$kubeconfig" "${1:-8}" 2>"$work/api.log" &
  api_pid=$!
  for _ in $(seq 300); do [ -s "$kubeconfig" ] && break; sleep 0.1; done
  [ -s "$kubeconfig" ] || { cat "$work/api.log" >&2; exit 1; }
  api_url=$(sed -n 's/^ *server: //p' "$kubeconfig")
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

ms_until() { # PATTERN CMD...
  local pat=$1 fifo=$work/stderr.$$.$RANDOM start end= line pid seen=0
  shift
  mkfifo "$fifo"
  start=${EPOCHREALTIME/./}
  "$@" 2>"$fifo" >/dev/null </dev/null &
  pid=$!
  : >"$work/last.stderr"
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$work/last.stderr"
    [ -n "${BENCH_DEBUG:-}" ] && printf '  | %s\n' "$line" >&2
    if [ -z "$end" ] && [[ $line == *"$pat"* ]] && [ $((seen += 1)) -ge "${MS_UNTIL_COUNT:-1}" ]; then
      end=${EPOCHREALTIME/./}
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done <"$fifo"
  wait "$pid" 2>/dev/null || true
  rm -f "$fifo"
  if [ -n "$end" ]; then echo $(( (end - start) / 1000 )); else echo -1; fi
}

machine() {
  echo "$(nproc) cores $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ {print $2}') GB RAM," \
    "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), $(java -version 2>&1 | head -1), $(ssh -V 2>&1); node login $bench_user;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Bulk TCP traffic between two lab pods: a sender in the docker pod's netns streams zeros as fast
# as it can to a receiver in the containerd pod's netns (Debian's /usr/bin/python3, entered with
# nsenter -n; busybox nc stops after a few kB here), so it crosses both pods' host veths.
# traffic_start SECONDS [PORT] runs it in the background for SECONDS; traffic_wait waits for it and
# leaves the bytes received in $traffic_bytes.
traffic_start() {
  local secs=$1 port=${2:-39417} dpid cpid
  dpid=$(prop pod.docker.expect.pid pods.properties)
  cpid=$(prop pod.containerd.expect.pid pods.properties)
  rm -f "$work/traffic.bytes" "$work/traffic.ready"
  nsenter -t "$cpid" -n /usr/bin/python3 -c '
import socket, sys
s = socket.create_server(("0.0.0.0", int(sys.argv[1])), reuse_port=True)
print("ready", flush=True)
c, _ = s.accept(); n = 0; b = bytearray(1 << 20)
while True:
    k = c.recv_into(b)
    if not k: break
    n += k
open(sys.argv[2], "w").write(str(n))' "$port" "$work/traffic.bytes" >"$work/traffic.ready" &
  traffic_rx=$!
  for _ in $(seq 100); do [ -s "$work/traffic.ready" ] && break; sleep 0.05; done
  nsenter -t "$dpid" -n /usr/bin/python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
end = time.monotonic() + float(sys.argv[3]); b = bytes(1 << 16)
while time.monotonic() < end: s.sendall(b)
s.close()' "$(prop pod.containerd.podIP pods.properties)" "$port" "$secs" &
  traffic_tx=$!
}
traffic_wait() {
  wait "$traffic_tx" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$traffic_rx" 2>/dev/null || break; sleep 0.1; done
  kill "$traffic_rx" 2>/dev/null || true   # the sender never connected
  wait "$traffic_rx" 2>/dev/null || true
  traffic_bytes=$(cat "$work/traffic.bytes" 2>/dev/null || echo 0)
}
