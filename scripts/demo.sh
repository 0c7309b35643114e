#!/usr/bin/env bash
# Try k8scap without a cluster, on this one machine (Debian/Ubuntu, as root):
#
#   sudo scripts/demo.sh up     the lab's node (real containers, sshd, tcpdump: scripts/lab.sh up, or
#                               the lab already running here), a small Kubernetes API server on
#                               loopback describing them, then k8scap locate and k8scap capture
#                               against it, each step explained
#   sudo scripts/demo.sh down   stops that API server and removes what `up` made (the lab only if
#                               `up` brought it up; a lab that was already running is left as it was)
#
# The API server is the tests' stand-in (io.k8scap.lab.LabApiServer, fabric8's mock server loaded
# with Pods and a Node that describe the lab's real containers): the only part that is not real.
# Environment: K8SCAP_DEMO_DIR (default /tmp/k8scap-demo: kubeconfig, ssh config, the pcap, the
# API server's pid and log), K8SCAP_LAB_DIR (the lab's state, default /var/lib/k8scap-lab),
# K8SCAP_MVN_OPTS (extra Maven options, e.g. -o offline).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
demo=${K8SCAP_DEMO_DIR:-/tmp/k8scap-demo}
lab=${K8SCAP_LAB_DIR:-/var/lib/k8scap-lab}
mvn_opts=${K8SCAP_MVN_OPTS:-}

# Everything goes to stdout, the commands' stderr included, so that it reads in order even through a pipe.
say() { printf '\ndemo: %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }
show() { # CMD...: prints the command as a user would type it, then runs it
  printf '$'; printf ' %q' "$@"; printf '\n'
  "$@" 2>&1
}
prop() { sed -n "s/^$1=//p" "$lab/$2"; }

usage() { echo "usage: $0 up|down" >&2; exit 2; }
[ $# -eq 1 ] || usage
case $1 in up|down) ;; -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; *) usage ;; esac
[ "$(id -u)" -eq 0 ] || die "run as root: the lab's node runs containers and an sshd on this machine (try: sudo $0 $1)"

api_running() { # the pid in $demo/api.pid is our API server
  local pid
  pid=$(cat "$demo/api.pid" 2>/dev/null || true)
  [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'io.k8scap.lab.LabApiServer'
}

lab_running() { # the lab's state files are there and its node-1 sshd is alive
  local pid
  [ -f "$lab/ssh.properties" ] && [ -f "$lab/pods.properties" ] || return 1
  pid=$(cat "$lab/ssh/sshd_config.pid" 2>/dev/null || true)
  [ -n "$pid" ] && [ -d "/proc/$pid" ]
}

up() {
  mkdir -p "$demo"
  chmod 0700 "$demo"

  say "1/6 the node. A Kubernetes node, for k8scap, is a machine it reaches over SSH, with a container runtime and tcpdump. Here that is this machine: dockerd and containerd running the lab's pods (busybox httpd in their own network namespaces, veths on a bridge), and an sshd on 127.0.0.1:2222."
  if lab_running; then
    echo "the lab is already up ($lab): using it as it is; demo.sh down will leave it running"
  else
    show "$here/scripts/lab.sh" up
    touch "$demo/made-lab"
  fi

  say "2/6 k8scap itself, and the API server stand-in (test code), built with Maven."
  if [ ! -f "$here/target/k8scap.jar" ] || [ ! -f "$here/target/test-classes/io/k8scap/lab/LabApiServer.class" ]; then
    # shellcheck disable=SC2086 # a list of options on purpose
    (cd "$here" && show mvn -q -B -Dstyle.color=never $mvn_opts -DskipTests package)
  fi
  # shellcheck disable=SC2086
  (cd "$here" && mvn -q -B -Dstyle.color=never $mvn_opts dependency:build-classpath -Dmdep.outputFile="$demo/classpath" >"$demo/mvn.log" 2>&1) \
    || { cat "$demo/mvn.log" >&2; die "mvn dependency:build-classpath failed (offline? try K8SCAP_MVN_OPTS=-o)"; }
  k8scap=$here/bin/k8scap # this tree's launcher, running target/k8scap.jar
  echo "k8scap: $k8scap ($("$k8scap" --version))"

  say "3/6 the Kubernetes API. The one stand-in: fabric8's mock API server on a free loopback port, loaded with a Node (lab-node-1, InternalIP 127.0.0.1) and the Pods, Deployments and DaemonSets that describe the lab's real containers — their real container IDs and pod IPs."
  if api_running; then
    echo "already running (pid $(cat "$demo/api.pid"))"
  else
    rm -f "$demo/kubeconfig"
    setsid java -cp "$here/target/test-classes:$here/target/classes:$(cat "$demo/classpath")" \
      io.k8scap.lab.LabApiServer "$demo/kubeconfig" </dev/null >"$demo/api.log" 2>&1 &
    echo $! >"$demo/api.pid"
    for _ in $(seq 300); do [ -s "$demo/kubeconfig" ] && break; sleep 0.1; done
    [ -s "$demo/kubeconfig" ] || { cat "$demo/api.log" >&2; die "the API server did not start (log above: $demo/api.log)"; }
  fi
  echo "API server $(sed -n 's/^ *server: //p' "$demo/kubeconfig") (pid $(cat "$demo/api.pid"))"

  # How k8scap reaches the node: an ordinary OpenSSH client config (k8scap reads ~/.ssh/config the same way).
  cat >"$demo/ssh_config" <<EOF
Host lab-node-1
  HostName $(prop ssh.address ssh.properties)
  Port $(prop ssh.port ssh.properties)
  User $(prop ssh.user ssh.properties)
  IdentityFile $(prop ssh.identity ssh.properties)
  UserKnownHostsFile $(prop ssh.knownHosts ssh.properties)
EOF
  say "4/6 what to point k8scap at: a kubeconfig (as for kubectl) and an ssh config for the node. With a real cluster these are your ~/.kube/config and ~/.ssh/config."
  echo "export KUBECONFIG=$demo/kubeconfig       # the demo's cluster"
  echo "ssh config: $demo/ssh_config (Host lab-node-1 → 127.0.0.1:$(prop ssh.port ssh.properties), host key checked against the lab's known_hosts)"
  export KUBECONFIG=$demo/kubeconfig
  local ssh=(--ssh-config "$demo/ssh_config")

  say "5/6 locate: deployment flyte/flyteadmin → its pod → node lab-node-1 → (one SSH connection) the container's PID, network namespace, eth0@ifN and the host-side peer interface tcpdump will listen on."
  show "$k8scap" locate -n flyte flyteadmin "${ssh[@]}"

  say "6/6 capture (the README's command, for 5 s instead of 30): tcpdump runs on the node on the pod's host-side interface and streams the packets here into a pcap (0600); nothing stays running on the node. Meanwhile this script sends a few HTTP requests to the pod, so there is something to see."
  local ip
  ip=$(prop pod.containerd.podIP pods.properties)
  # one request every half second for as long as the capture runs (at most a minute)
  ( for _ in $(seq 120); do curl -s -o /dev/null --max-time 1 "http://$ip:8080/" || true; sleep 0.5; done ) &
  local traffic=$!
  rm -f "$demo/flyteadmin.pcap"
  show "$k8scap" capture -n flyte flyteadmin --duration 5s "${ssh[@]}" -w "$demo/flyteadmin.pcap" --summary
  kill "$traffic" 2>/dev/null || true
  wait "$traffic" 2>/dev/null || true
  if command -v tshark >/dev/null 2>&1; then
    say "the first packets of $demo/flyteadmin.pcap (tshark):"
    show tshark -n -r "$demo/flyteadmin.pcap" -c 6
  fi

  say "done. Try more against the same cluster (the API server keeps running):"
  cat <<EOF
  export KUBECONFIG=$demo/kubeconfig
  $k8scap capture -n flyte flyteadmin --ssh-config $demo/ssh_config -w - 'tcp port 8080' | tshark -r -
  $k8scap locate -n lab web --ssh-config $demo/ssh_config -o wide
  sudo $0 down       # removes what the demo made
EOF
}

down() {
  if api_running; then
    local pid
    pid=$(cat "$demo/api.pid")
    kill "$pid"
    # until it has exited (gone, or a zombie its new parent has yet to reap)
    for _ in $(seq 100); do
      [ -e "/proc/$pid" ] && [ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)" != Z ] || break
      sleep 0.1
    done
    echo "demo: stopped the API server (pid $pid)" >&2
  fi
  if [ -f "$demo/made-lab" ]; then
    "$here/scripts/lab.sh" down
  elif [ -d "$demo" ]; then
    echo "demo: the lab was running before the demo: left as it is" >&2
  fi
  # only the files up wrote: K8SCAP_DEMO_DIR may name a directory that holds other things too
  rm -f "$demo"/{kubeconfig,ssh_config,classpath,mvn.log,api.pid,api.log,flyteadmin.pcap,made-lab}
  rmdir "$demo" 2>/dev/null || true
  echo "demo: down" >&2
}

"$1"
