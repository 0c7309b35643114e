#!/usr/bin/env bash
# Real containers shaped like Kubernetes pods on one "node" (this machine, lab-node-1).
#
#   scripts/lab/pods.sh up       create (or keep, when healthy) the lab pods, prove traffic, write
#                                $K8SCAP_LAB_DIR/pods.properties (read by src/test/java/io/k8scap/lab/Lab.java)
#   scripts/lab/pods.sh down     remove exactly what `up` created; never fails on missing pieces
#   scripts/lab/pods.sh status   print what is there
#
# Pods (keys in pods.properties):
#   docker      dockershim style: k8s_POD_… pause container (--network none) holding a netns wired
#               like the bridge CNI (veth + 8 hex on k8scap0), app container joined to it, httpd :8080
#   containerd  containerd/CRI style: `ip netns add cni-…`, Calico-style veth (cali + 11 hex) on
#               k8scap0, a task in containerd's k8s.io namespace joined to that netns, httpd :8080
#   host        hostNetwork: docker containers in the node's netns
#   ipvlan      a netns whose eth0 is an ipvlan (l2) slave of k8scap-dummy0 — no veth peer. When the
#               kernel has no ipvlan (or no dummy), the same shape is built with macvlan (bridge mode)
#               on a port-less bridge named k8scap-dummy0; expect.podIfKind says which.
#
# Nothing is routed or NATed to the outside: only the bridge k8scap0 (10.244.77.1/24) and the
# namespaces made here.
set -eu

LAB_DIR="${K8SCAP_LAB_DIR:-/var/lib/k8scap-lab}"
STATE="$LAB_DIR/pods.properties"
DOCKER=/usr/bin/docker
IMAGE="k8scap-lab/busybox:latest"
CTR_IMAGE="docker.io/${IMAGE}"
CTR="ctr -n k8s.io"
NODE=lab-node-1
BRIDGE=k8scap0
BRIDGE_CIDR=10.244.77.1/24
PARENT=k8scap-dummy0
LABEL=k8scap-lab.pod        # docker/containerd label on everything created here (value: pod key)
HOST_HTTP=127.0.0.1:18731   # hostNetwork pod's httpd (loopback only)
PAUSE_CMD='trap "exit 0" TERM INT; while :; do sleep 3600 & wait; done'
HTTPD_CMD='mkdir -p /www && printf "%s\n" "$1" >/www/index.html && exec httpd -f -p "$2" -h /www'

log() { printf 'lab/pods: %s\n' "$*" >&2; }
die() { printf 'lab/pods: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (try: sudo $0 ${1:-up})"

# ---- names ----------------------------------------------------------------------------------
hexof() { printf 'k8scap-lab:%s' "$1" | sha256sum | cut -c1-64; }
uuidish() { local h; h="$(hexof "$1")"; printf '%s-%s-%s-%s-%s' "${h:0:8}" "${h:8:4}" "${h:12:4}" "${h:16:4}" "${h:20:12}"; }

# docker pod (dockershim)
D_NS=lab D_POD=web-7c9d8f6b5-x2x4q D_CONT=web D_UID=8f0a3c52-5d1e-4b7a-9e0c-2b6d7f4a1c93
D_IP=10.244.77.2
D_PAUSE="k8s_POD_${D_POD}_${D_NS}_${D_UID}_0"
D_APP="k8s_${D_CONT}_${D_POD}_${D_NS}_${D_UID}_0"
D_HOSTIF="veth$(hexof "$D_UID" | cut -c1-8)"
# containerd pod (CRI + Calico-style veth)
C_NS=flyte C_POD=flyteadmin-675b978d44-98zg5 C_CONT=flyteadmin C_UID=1b7e9d24-6c3f-4a8e-b5d2-7f91c0e3a468
C_IP=10.244.77.3
C_NETNS="cni-$(uuidish "netns:$C_UID")"
C_ID="$(hexof "container:$C_UID")"
C_HOSTIF="cali$(hexof "$C_UID" | cut -c1-11)"
# hostNetwork pod (dockershim)
H_NS=kube-system H_POD=node-agent-x7k2p H_CONT=agent H_UID=c4e2a7f1-0b9d-4e63-8a15-d3f6b2c9e07a
H_PAUSE="k8s_POD_${H_POD}_${H_NS}_${H_UID}_0"
H_APP="k8s_${H_CONT}_${H_POD}_${H_NS}_${H_UID}_0"
# ipvlan pod (containerd)
I_NS=lab I_POD=ipvl-0 I_CONT=app I_UID=5a9d1e3c-7f2b-4c80-9d46-e1b3a8f0c725
I_IP=10.244.78.2
I_NETNS="cni-$(uuidish "netns:$I_UID")"
I_ID="$(hexof "container:$I_UID")"

# ---- small helpers --------------------------------------------------------------------------
dk() { "$DOCKER" "$@"; }
docker_running() { [ "$(dk inspect -f '{{.State.Running}}' "$1" 2>/dev/null || true)" = true ]; }
docker_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }
docker_id() { dk inspect -f '{{.Id}}' "$1"; }
docker_rm() { dk rm -f "$@" >/dev/null 2>&1 || true; }

# PID of a running containerd task in k8s.io, empty when there is none
task_pid() { $CTR task ls 2>/dev/null | awk -v id="$1" '$1 == id && $3 == "RUNNING" { print $2 }'; }
ctr_rm() {
    local id="$1" n=50
    if $CTR task ls -q 2>/dev/null | grep -qxF "$id"; then
        $CTR task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
        while [ "$n" -gt 0 ] && [ -n "$(task_pid "$id")" ]; do sleep 0.1; n=$((n - 1)); done
        $CTR task rm -f "$id" >/dev/null 2>&1 || true
    fi
    if $CTR containers ls -q 2>/dev/null | grep -qxF "$id"; then
        $CTR containers rm "$id" >/dev/null 2>&1 || true
    fi
}

netns_inode() { readlink "/proc/$1/ns/net" | sed -n 's/^net:\[\([0-9]*\)\]$/\1/p'; }
link_exists() { ip link show dev "$1" >/dev/null 2>&1; }
link_del() { if link_exists "$1"; then ip link del dev "$1" 2>/dev/null || true; fi; }
netns_del() { if [ -e "/var/run/netns/$1" ]; then ip netns del "$1" 2>/dev/null || true; fi; }
# in_ns PID CMD...: run a host command inside PID's network namespace only
in_ns() { local pid="$1"; shift; nsenter -t "$pid" -n -- "$@"; }
# has_addr PID IFACE IP: whether IFACE in PID's netns carries IP
has_addr() { in_ns "$1" ip -o -4 addr show dev "$2" 2>/dev/null | grep -q " inet $3/"; }
# fetch PID URL: busybox wget from inside PID's netns. (Not `wget -T`: Debian's busybox 1.35
# segfaults with it; coreutils timeout bounds the wait instead.)
fetch() { timeout 5 nsenter -t "$1" -n -- busybox wget -q -O - "$2"; }

bridge_up() {
    if ! link_exists "$BRIDGE"; then
        ip link add name "$BRIDGE" type bridge
    fi
    if ! ip -o -4 addr show dev "$BRIDGE" | grep -q " inet $BRIDGE_CIDR "; then
        ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
    fi
    ip link set dev "$BRIDGE" up
    # With br_netfilter, frames between ports of one bridge traverse iptables FORWARD, whose
    # policy docker sets to DROP: let the lab bridge talk to itself (and nothing else).
    if [ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo 0)" = 1 ] \
        && ! iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment k8scap-lab -j ACCEPT 2>/dev/null; then
        iptables -I FORWARD 1 -i "$BRIDGE" -o "$BRIDGE" -m comment --comment k8scap-lab -j ACCEPT
    fi
}

bridge_down() {
    while iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment k8scap-lab -j ACCEPT 2>/dev/null; do
        iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment k8scap-lab -j ACCEPT || break
    done
    link_del "$BRIDGE"
}

# veth_into HOSTIF NETNS(pid or name): a veth pair, pod end = eth0 in the netns
veth_into() {
    local hostif="$1" ns="$2"
    ip link add name "$hostif" type veth peer name eth0 netns "$ns"
    ip link set dev "$hostif" master "$BRIDGE" up
}

# pod_if_setup NSENTER-PID CIDR
pod_if_setup() {
    in_ns "$1" ip link set dev lo up
    in_ns "$1" ip addr add "$2" dev eth0
    in_ns "$1" ip link set dev eth0 up
}

docker_labels() { # key ns pod uid container type
    printf -- '--label\n%s=%s\n' \
        "$LABEL" "$1" io.kubernetes.pod.namespace "$2" io.kubernetes.pod.name "$3" \
        io.kubernetes.pod.uid "$4" io.kubernetes.container.name "$5" io.kubernetes.docker.type "$6"
}

docker_run_labeled() { # key ns pod uid container type -- docker run args
    local args=() l
    while IFS= read -r l; do args+=("$l"); done < <(docker_labels "$1" "$2" "$3" "$4" "$5" "$6")
    shift 6
    dk run -d "${args[@]}" "$@" >/dev/null
}

ctr_run() { # key ns pod uid container id netns-name content
    $CTR run -d --null-io \
        --label "$LABEL=$1" \
        --label io.kubernetes.pod.namespace="$2" --label io.kubernetes.pod.name="$3" \
        --label io.kubernetes.pod.uid="$4" --label io.kubernetes.container.name="$5" \
        --label io.cri-containerd.kind=container \
        --with-ns "network:/var/run/netns/$7" \
        "$CTR_IMAGE" "$6" sh -c "$HTTPD_CMD" sh "$8" 8080 >/dev/null
    local n=50
    while [ "$n" -gt 0 ] && [ -z "$(task_pid "$6")" ]; do sleep 0.1; n=$((n - 1)); done
    [ -n "$(task_pid "$6")" ] || die "containerd task $6 ($2/$3) did not start"
}

content_of() { printf 'k8scap-lab %s %s/%s' "$1" "$2" "$3"; }

# wait_http PID URL CONTENT: until httpd answers with CONTENT
wait_http() {
    local n=50
    while [ "$n" -gt 0 ]; do
        if [ "$(fetch "$1" "$2" 2>/dev/null || true)" = "$3" ]; then return 0; fi
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

# ---- docker pod -----------------------------------------------------------------------------
ok_docker() {
    docker_running "$D_PAUSE" && docker_running "$D_APP" && link_exists "$D_HOSTIF" || return 1
    local pid; pid="$(docker_pid "$D_PAUSE")"
    has_addr "$pid" eth0 "$D_IP" \
        && [ "$(netns_inode "$pid")" = "$(netns_inode "$(docker_pid "$D_APP")")" ] \
        && ip -o link show dev "$D_HOSTIF" | grep -q "master $BRIDGE "
}
down_docker() { docker_rm "$D_APP" "$D_PAUSE"; link_del "$D_HOSTIF"; }
up_docker() {
    docker_run_labeled docker "$D_NS" "$D_POD" "$D_UID" POD podsandbox \
        --name "$D_PAUSE" --network none --restart no "$IMAGE" sh -c "$PAUSE_CMD"
    local pid; pid="$(docker_pid "$D_PAUSE")"
    veth_into "$D_HOSTIF" "$pid"
    pod_if_setup "$pid" "$D_IP/24"
    docker_run_labeled docker "$D_NS" "$D_POD" "$D_UID" "$D_CONT" container \
        --name "$D_APP" --network "container:$D_PAUSE" --restart no \
        "$IMAGE" sh -c "$HTTPD_CMD" sh "$(content_of docker "$D_NS" "$D_POD")" 8080
}

# ---- containerd pod -------------------------------------------------------------------------
ok_containerd() {
    local pid; pid="$(task_pid "$C_ID")"
    [ -n "$pid" ] && [ -e "/var/run/netns/$C_NETNS" ] && link_exists "$C_HOSTIF" \
        && [ "$(netns_inode "$pid")" = "$(stat -L -c %i "/var/run/netns/$C_NETNS")" ] \
        && has_addr "$pid" eth0 "$C_IP" \
        && ip -o link show dev "$C_HOSTIF" | grep -q "master $BRIDGE "
}
down_containerd() { ctr_rm "$C_ID"; link_del "$C_HOSTIF"; netns_del "$C_NETNS"; }
up_containerd() {
    ip netns add "$C_NETNS"
    veth_into "$C_HOSTIF" "$C_NETNS"
    ip netns exec "$C_NETNS" ip link set dev lo up
    ip netns exec "$C_NETNS" ip addr add "$C_IP/24" dev eth0
    ip netns exec "$C_NETNS" ip link set dev eth0 up
    ctr_run containerd "$C_NS" "$C_POD" "$C_UID" "$C_CONT" "$C_ID" "$C_NETNS" \
        "$(content_of containerd "$C_NS" "$C_POD")"
}

# ---- hostNetwork pod ------------------------------------------------------------------------
ok_host() {
    docker_running "$H_PAUSE" && docker_running "$H_APP" \
        && [ "$(netns_inode "$(docker_pid "$H_APP")")" = "$(netns_inode $$)" ]
}
down_host() { docker_rm "$H_APP" "$H_PAUSE"; }
up_host() {
    docker_run_labeled host "$H_NS" "$H_POD" "$H_UID" POD podsandbox \
        --name "$H_PAUSE" --network host --restart no "$IMAGE" sh -c "$PAUSE_CMD"
    docker_run_labeled host "$H_NS" "$H_POD" "$H_UID" "$H_CONT" container \
        --name "$H_APP" --network host --restart no \
        "$IMAGE" sh -c "$HTTPD_CMD" sh "$(content_of host "$H_NS" "$H_POD")" "$HOST_HTTP"
}

# ---- ipvlan pod -----------------------------------------------------------------------------
ok_ipvlan() {
    local pid; pid="$(task_pid "$I_ID")"
    [ -n "$pid" ] && [ -e "/var/run/netns/$I_NETNS" ] && link_exists "$PARENT" \
        && [ "$(netns_inode "$pid")" = "$(stat -L -c %i "/var/run/netns/$I_NETNS")" ] \
        && has_addr "$pid" eth0 "$I_IP"
}
down_ipvlan() { ctr_rm "$I_ID"; netns_del "$I_NETNS"; link_del "$PARENT"; }
up_ipvlan() {
    link_del "$PARENT"
    if ! ip link add name "$PARENT" type dummy 2>/dev/null; then
        log "kernel has no dummy interfaces: $PARENT is a bridge without ports instead"
        ip link add name "$PARENT" type bridge
    fi
    ip link set dev "$PARENT" up
    ip netns add "$I_NETNS"
    if ! ip link add link "$PARENT" name eth0 netns "$I_NETNS" type ipvlan mode l2 2>/dev/null; then
        log "kernel has no ipvlan: using macvlan (bridge mode) on $PARENT for pod ipvlan"
        ip link add link "$PARENT" name eth0 netns "$I_NETNS" type macvlan mode bridge
    fi
    ip netns exec "$I_NETNS" ip link set dev lo up
    ip netns exec "$I_NETNS" ip addr add "$I_IP/24" dev eth0
    ip netns exec "$I_NETNS" ip link set dev eth0 up
    ctr_run ipvlan "$I_NS" "$I_POD" "$I_UID" "$I_CONT" "$I_ID" "$I_NETNS" \
        "$(content_of ipvlan "$I_NS" "$I_POD")"
}

# ---- ground truth ---------------------------------------------------------------------------
# truth KEY PID HOSTIF: prints expect.* properties read from the kernel (not from our constants)
truth() {
    local key="$1" pid="$2" hostif="$3" line idx link kind peer=-1 hostidx=-1 podif=eth0
    printf 'pod.%s.expect.pid=%s\n' "$key" "$pid"
    printf 'pod.%s.expect.netns=%s\n' "$key" "$(netns_inode "$pid")"
    if [ "$key" = host ]; then
        printf 'pod.%s.expect.%s=%s\n' "$key" podIf "" "$key" podIfIndex -1 "$key" podIfKind "" \
            "$key" linkIndex -1 "$key" peerIndex -1 "$key" hostIf "" "$key" hostIfIndex -1
        return 0
    fi
    line="$(in_ns "$pid" ip -o link show dev "$podif")"
    idx="${line%%:*}"
    link="$(printf '%s\n' "$line" | sed -n 's/^[0-9]*: [^@:]*@if\([0-9]*\):.*/\1/p')"
    kind="$(in_ns "$pid" ip -o -d link show dev "$podif" | grep -oE ' (veth|ipvlan|macvlan) ' | tr -d ' ' | head -n 1)"
    if [ "$kind" = veth ]; then
        peer="$link"
        hostidx="$(cat "/sys/class/net/$hostif/ifindex")"
    fi
    printf 'pod.%s.expect.podIf=%s\n' "$key" "$podif"
    printf 'pod.%s.expect.podIfIndex=%s\n' "$key" "$idx"
    printf 'pod.%s.expect.podIfKind=%s\n' "$key" "$kind"
    printf 'pod.%s.expect.linkIndex=%s\n' "$key" "${link:--1}"
    printf 'pod.%s.expect.peerIndex=%s\n' "$key" "$peer"
    printf 'pod.%s.expect.hostIf=%s\n' "$key" "$hostif"
    printf 'pod.%s.expect.hostIfIndex=%s\n' "$key" "$hostidx"
}

# pod_props KEY NS POD UID CONTAINER CONTAINERID PODIP HOSTNETWORK LABELS OWNER
pod_props() {
    printf 'pod.%s.%s=%s\n' \
        "$1" namespace "$2" "$1" name "$3" "$1" uid "$4" "$1" container "$5" \
        "$1" containerID "$6" "$1" podIP "$7" "$1" hostNetwork "$8" "$1" labels "$9" \
        "$1" owner "${10}" "$1" node "$NODE"
}

write_state() {
    local tmp="$STATE.tmp.$$" dpid cpid hpid ipid
    dpid="$(docker_pid "$D_APP")"; cpid="$(task_pid "$C_ID")"
    hpid="$(docker_pid "$H_APP")"; ipid="$(task_pid "$I_ID")"
    {
        printf '# written by scripts/lab/pods.sh up at %s; read by io.k8scap.lab.Lab\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        printf 'pods=docker,containerd,host,ipvlan\n'
        printf 'lab.node=%s\nlab.bridge=%s\nlab.bridgeIP=%s\n' "$NODE" "$BRIDGE" "${BRIDGE_CIDR%/*}"

        pod_props docker "$D_NS" "$D_POD" "$D_UID" "$D_CONT" "docker://$(docker_id "$D_APP")" "$D_IP" false \
            "app=web,pod-template-hash=7c9d8f6b5" "ReplicaSet/web-7c9d8f6b5"
        printf 'pod.docker.deployment=web\npod.docker.sandboxID=%s\n' "$(docker_id "$D_PAUSE")"
        printf 'pod.docker.expect.url=http://%s:8080/\npod.docker.expect.content=%s\n' "$D_IP" "$(content_of docker "$D_NS" "$D_POD")"
        truth docker "$dpid" "$D_HOSTIF"

        pod_props containerd "$C_NS" "$C_POD" "$C_UID" "$C_CONT" "containerd://$C_ID" "$C_IP" false \
            "app=flyteadmin,pod-template-hash=675b978d44" "ReplicaSet/flyteadmin-675b978d44"
        printf 'pod.containerd.deployment=flyteadmin\npod.containerd.netnsName=%s\n' "$C_NETNS"
        printf 'pod.containerd.expect.url=http://%s:8080/\npod.containerd.expect.content=%s\n' "$C_IP" "$(content_of containerd "$C_NS" "$C_POD")"
        truth containerd "$cpid" "$C_HOSTIF"

        pod_props host "$H_NS" "$H_POD" "$H_UID" "$H_CONT" "docker://$(docker_id "$H_APP")" 127.0.0.1 true \
            "app=node-agent" "DaemonSet/node-agent"
        printf 'pod.host.sandboxID=%s\n' "$(docker_id "$H_PAUSE")"
        printf 'pod.host.expect.url=http://%s/\npod.host.expect.content=%s\n' "$HOST_HTTP" "$(content_of host "$H_NS" "$H_POD")"
        truth host "$hpid" ""

        pod_props ipvlan "$I_NS" "$I_POD" "$I_UID" "$I_CONT" "containerd://$I_ID" "$I_IP" false \
            "app=ipvl" "StatefulSet/ipvl"
        printf 'pod.ipvlan.netnsName=%s\npod.ipvlan.expect.parentIf=%s\npod.ipvlan.expect.parentIfIndex=%s\n' \
            "$I_NETNS" "$PARENT" "$(cat "/sys/class/net/$PARENT/ifindex")"
        printf 'pod.ipvlan.expect.url=http://%s:8080/\npod.ipvlan.expect.content=%s\n' "$I_IP" "$(content_of ipvlan "$I_NS" "$I_POD")"
        truth ipvlan "$ipid" ""
    } >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$STATE"
}

# ---- traffic proof --------------------------------------------------------------------------
prove_traffic() {
    local dpid cpid hpid ipid
    dpid="$(docker_pid "$D_APP")"; cpid="$(task_pid "$C_ID")"
    hpid="$(docker_pid "$H_APP")"; ipid="$(task_pid "$I_ID")"
    wait_http "$cpid" "http://$D_IP:8080/" "$(content_of docker "$D_NS" "$D_POD")" \
        || die "containerd pod cannot fetch http://$D_IP:8080/ from the docker pod over $BRIDGE"
    wait_http "$dpid" "http://$C_IP:8080/" "$(content_of containerd "$C_NS" "$C_POD")" \
        || die "docker pod cannot fetch http://$C_IP:8080/ from the containerd pod over $BRIDGE"
    wait_http "$hpid" "http://$HOST_HTTP/" "$(content_of host "$H_NS" "$H_POD")" \
        || die "hostNetwork pod's httpd does not answer on http://$HOST_HTTP/"
    wait_http "$ipid" "http://$I_IP:8080/" "$(content_of ipvlan "$I_NS" "$I_POD")" \
        || die "ipvlan pod's httpd does not answer on http://$I_IP:8080/ inside its netns"
    log "traffic: docker <-> containerd over $BRIDGE, host on $HOST_HTTP, ipvlan in its netns: ok"
}

# ---- verbs ----------------------------------------------------------------------------------
lock() {
    mkdir -p "$LAB_DIR"
    exec 9>"$LAB_DIR/pods.lock"
    flock -w 300 9 || die "another scripts/lab/pods.sh holds $LAB_DIR/pods.lock"
}

do_up() {
    dk image inspect "$IMAGE" >/dev/null 2>&1 \
        || die "docker has no image $IMAGE: run scripts/lab/install.sh (scripts/lab.sh up does)"
    $CTR images ls -q | grep -qxF "$CTR_IMAGE" \
        || die "containerd (k8s.io) has no image $CTR_IMAGE: run scripts/lab/install.sh"
    bridge_up
    local key
    for key in docker containerd host ipvlan; do
        if "ok_$key" 2>/dev/null; then
            log "pod $key: running, kept"
        else
            "down_$key"
            "up_$key"
            "ok_$key" || die "pod $key did not come up healthy"
            log "pod $key: created"
        fi
    done
    prove_traffic
    write_state
    log "state: $STATE"
}

do_down() {
    rm -f "$STATE"
    down_docker; down_containerd; down_host; down_ipvlan
    # anything else labeled by an earlier version of this script
    local ids id
    ids="$(dk ps -aq --filter "label=$LABEL" 2>/dev/null || true)"
    if [ -n "$ids" ]; then
        # shellcheck disable=SC2086
        docker_rm $ids
    fi
    for id in $($CTR containers ls -q "labels.\"$LABEL\"" 2>/dev/null || true); do
        ctr_rm "$id"
    done
    link_del "$PARENT"
    bridge_down
    log "down: pods, netns, veths, $BRIDGE and $PARENT removed"
}

do_status() {
    echo "== docker containers (label $LABEL)"
    dk ps -a --filter "label=$LABEL" --format '{{.ID}}  {{.Status}}  {{.Names}}' 2>/dev/null || true
    echo "== containerd tasks (k8s.io)"
    local id
    for id in "$C_ID" "$I_ID"; do
        $CTR task ls 2>/dev/null | awk -v id="$id" '$1 == id'
    done
    echo "== network namespaces"
    ip netns list 2>/dev/null | grep -E "^($C_NETNS|$I_NETNS)( |$)" || true
    echo "== interfaces"
    for id in "$BRIDGE" "$PARENT" "$D_HOSTIF" "$C_HOSTIF"; do
        ip -o -br link show dev "$id" 2>/dev/null || echo "$id: absent"
    done
    echo "== state"
    if [ -f "$STATE" ]; then ls -l "$STATE"; else echo "$STATE: absent"; fi
}

case "${1:-}" in
    up) lock; do_up ;;
    down) lock; do_down ;;
    status) do_status ;;
    *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
