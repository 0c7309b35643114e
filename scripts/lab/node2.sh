#!/usr/bin/env bash
# A second lab "node", lab-node-2: an sshd in its own network namespace, with pods hanging off it.
#
#   scripts/lab/node2.sh up       create (or keep, when healthy) node 2 and its pods, prove traffic,
#                                 write $K8SCAP_LAB_DIR/node2.properties (read by io.k8scap.lab.Lab.node2())
#   scripts/lab/node2.sh down     remove exactly what `up` created; never fails on missing pieces
#   scripts/lab/node2.sh status   print what is there
#
# Needs scripts/lab/install.sh (images) and scripts/lab/sshd.sh up (the lab user key) first;
# scripts/lab.sh up runs it after pods.sh.
#
# Shape (only the network view is a separate "machine": node 2 shares the host's PID and mount
# namespaces, so docker/ctr on node 2 see the same daemons and PIDs, as on a real node):
#   host  k8scap-n2h 10.244.90.1/24 <-veth-> eth0 10.244.90.2/24  in netns k8scap-node2
#   k8scap-node2: sshd on 10.244.90.2:22 (own ed25519 host key, root by the lab user key),
#                 bridge cni0 10.244.91.1/24, ip_forward=1
#   node2-docker      dockershim style pod (pause --network none + app joined to it); its eth0's
#                     veth peer (veth + 8 hex) lives in k8scap-node2 on cni0; 10.244.91.2, httpd :8080
#   node2-containerd  containerd task (ctr -n k8s.io) in netns cni-n2-…; peer cali + 11 hex in
#                     k8scap-node2 on cni0; 10.244.91.3, httpd :8080
#   host route 10.244.91.0/24 via 10.244.90.2, so the host reaches node 2's pods. No NAT; nothing
#   leaves the machine. Host FORWARD (docker sets policy DROP) gets ACCEPT rules for k8scap-n2h,
#   commented k8scap-lab, for traffic the host forwards to/from node 2.
#
# Files: $K8SCAP_LAB_DIR/node2/ (host key, sshd config/log/pid, known_hosts holding node 2's key
# for 10.244.90.2 only); the lab's known_hosts (owned by sshd.sh) is not touched. `down` keeps the
# host key (like sshd.sh keeps its keys) so the known_hosts entry stays valid across up/down.
set -eu

LAB_DIR="${K8SCAP_LAB_DIR:-/var/lib/k8scap-lab}"
STATE="$LAB_DIR/node2.properties"
DIR="$LAB_DIR/node2"
SSH_DIR="$LAB_DIR/ssh"
DOCKER=/usr/bin/docker
SSHD=/usr/sbin/sshd
IMAGE="k8scap-lab/busybox:latest"
CTR_IMAGE="docker.io/${IMAGE}"
CTR="ctr -n k8s.io"
NODE=lab-node-2
NETNS=k8scap-node2
HOSTIF=k8scap-n2h
HOST_IP=10.244.90.1
NODE_IP=10.244.90.2
BRIDGE=cni0
BRIDGE_IP=10.244.91.1
POD_NET=10.244.91.0/24
SSH_PORT=22
LABEL=k8scap-lab.node2      # docker/containerd label on everything created here (value: pod key)
COMMENT=k8scap-lab
PAUSE_CMD='trap "exit 0" TERM INT; while :; do sleep 3600 & wait; done'
HTTPD_CMD='mkdir -p /www && printf "%s\n" "$1" >/www/index.html && exec httpd -f -p "$2" -h /www'

log() { printf 'lab/node2: %s\n' "$*" >&2; }
die() { printf 'lab/node2: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (try: sudo $0 ${1:-up})"

# ---- names ----------------------------------------------------------------------------------
hexof() { printf 'k8scap-lab:%s' "$1" | sha256sum | cut -c1-64; }
uuidish() { local h; h="$(hexof "$1")"; printf '%s-%s-%s-%s-%s' "${h:0:8}" "${h:8:4}" "${h:12:4}" "${h:16:4}" "${h:20:12}"; }

# docker pod (dockershim)
D_KEY=node2-docker
D_NS=shop D_POD=cart-5f6d7c8b9-q7w2e D_CONT=cart D_UID=3d7e1f0a-8b2c-4e59-a6d1-9c4f2b7e8a10
D_IP=10.244.91.2
D_PAUSE="k8s_POD_${D_POD}_${D_NS}_${D_UID}_0"
D_APP="k8s_${D_CONT}_${D_POD}_${D_NS}_${D_UID}_0"
D_NODEIF="veth$(hexof "node2:$D_UID" | cut -c1-8)"
# containerd pod (CRI + Calico-style veth)
C_KEY=node2-containerd
C_NS=shop C_POD=checkout-0 C_CONT=checkout C_UID=6b1f4d8e-2a7c-4f93-b05e-d8c3a1e9f247
C_IP=10.244.91.3
C_NETNS="cni-n2-$(uuidish "node2:netns:$C_UID")"
C_ID="$(hexof "node2:container:$C_UID")"
C_NODEIF="cali$(hexof "node2:$C_UID" | cut -c1-11)"

# ---- small helpers --------------------------------------------------------------------------
dk() { "$DOCKER" "$@"; }
docker_running() { [ "$(dk inspect -f '{{.State.Running}}' "$1" 2>/dev/null || true)" = true ]; }
docker_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }
docker_id() { dk inspect -f '{{.Id}}' "$1"; }
docker_rm() { dk rm -f "$@" >/dev/null 2>&1 || true; }

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
netns_exists() { [ -e "/var/run/netns/$1" ]; }
node_inode() { stat -L -c %i "/var/run/netns/$NETNS"; }
netns_del() { if netns_exists "$1"; then ip netns del "$1" 2>/dev/null || true; fi; }
link_exists() { ip link show dev "$1" >/dev/null 2>&1; }
# on node 2 (its netns only; the mount namespace stays the host's, as for the lab sshd there)
n2() { ip -n "$NETNS" "$@"; }
n2_link_exists() { netns_exists "$NETNS" && n2 link show dev "$1" >/dev/null 2>&1; }
n2_has_addr() { n2 -o -4 addr show dev "$1" 2>/dev/null | grep -q " inet $2 "; }
in_ns() { local pid="$1"; shift; nsenter -t "$pid" -n -- "$@"; }
has_addr() { in_ns "$1" ip -o -4 addr show dev "$2" 2>/dev/null | grep -q " inet $3/"; }
# fetch URL from the host's netns (busybox wget: no -T, Debian's 1.35 segfaults with it)
fetch() { timeout 5 busybox wget -q -O - "$1"; }
content_of() { printf 'k8scap-lab %s %s/%s' "$1" "$2" "$3"; }
wait_http() { # URL CONTENT
    local n=50
    while [ "$n" -gt 0 ]; do
        if [ "$(fetch "$1" 2>/dev/null || true)" = "$2" ]; then return 0; fi
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

fwd_rule() { # -C|-I|-D -i|-o
    local op="$1" dir="$2"
    if [ "$op" = -I ]; then
        iptables -I FORWARD 1 "$dir" "$HOSTIF" -m comment --comment "$COMMENT" -j ACCEPT
    else
        iptables "$op" FORWARD "$dir" "$HOSTIF" -m comment --comment "$COMMENT" -j ACCEPT 2>/dev/null
    fi
}

# ---- the node: netns, uplink veth, bridge, routes -------------------------------------------
node_up() {
    netns_exists "$NETNS" || ip netns add "$NETNS"
    n2 link set dev lo up
    if ! link_exists "$HOSTIF"; then
        n2 link del dev eth0 2>/dev/null || true
        ip link add name "$HOSTIF" type veth peer name eth0 netns "$NETNS"
    fi
    ip -o -4 addr show dev "$HOSTIF" | grep -q " inet $HOST_IP/24 " || ip addr add "$HOST_IP/24" dev "$HOSTIF"
    ip link set dev "$HOSTIF" up
    n2_has_addr eth0 "$NODE_IP/24" || n2 addr add "$NODE_IP/24" dev eth0
    n2 link set dev eth0 up
    if ! n2_link_exists "$BRIDGE"; then
        n2 link add name "$BRIDGE" type bridge
    fi
    n2_has_addr "$BRIDGE" "$BRIDGE_IP/24" || n2 addr add "$BRIDGE_IP/24" dev "$BRIDGE"
    n2 link set dev "$BRIDGE" up
    ip netns exec "$NETNS" sysctl -q -w net.ipv4.ip_forward=1
    ip route replace "$POD_NET" via "$NODE_IP" dev "$HOSTIF"
    local d
    for d in -i -o; do
        fwd_rule -C "$d" || fwd_rule -I "$d"
    done
}

node_down() {
    local d
    for d in -i -o; do
        while fwd_rule -C "$d"; do fwd_rule -D "$d" || break; done
    done
    ip route del "$POD_NET" via "$NODE_IP" 2>/dev/null || true
    if link_exists "$HOSTIF"; then ip link del dev "$HOSTIF" 2>/dev/null || true; fi
    netns_del "$NETNS"
}

# ---- sshd in node 2's netns -----------------------------------------------------------------
sshd_keys() {
    mkdir -p "$DIR"
    chmod 755 "$DIR"
    [ -f "$DIR/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C k8scap-lab-node2-host -f "$DIR/ssh_host_ed25519_key"
    chmod 600 "$DIR/ssh_host_ed25519_key"
    chmod 644 "$DIR/ssh_host_ed25519_key.pub"
    printf '%s %s\n' "$NODE_IP" "$(cut -d' ' -f1,2 "$DIR/ssh_host_ed25519_key.pub")" >"$DIR/known_hosts.tmp"
    chmod 644 "$DIR/known_hosts.tmp"
    mv -f "$DIR/known_hosts.tmp" "$DIR/known_hosts"
}

sshd_config() {
    cat >"$DIR/sshd_config.tmp" <<CONF_EOF
# k8scap lab node 2 sshd, generated by scripts/lab/node2.sh; runs in netns $NETNS only.
ListenAddress $NODE_IP
Port $SSH_PORT
HostKey $DIR/ssh_host_ed25519_key
PidFile $DIR/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes yes
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups 50:30:100
MaxSessions 50
LogLevel VERBOSE
Subsystem sftp internal-sftp
CONF_EOF
    mv -f "$DIR/sshd_config.tmp" "$DIR/sshd_config"
    mkdir -p /run/sshd
    chmod 755 /run/sshd
    "$SSHD" -t -f "$DIR/sshd_config" || die "sshd rejects $DIR/sshd_config"
}

# pid of node 2's sshd listener (started with our config, in our netns), or nothing
sshd_pid() {
    local pid
    [ -f "$DIR/sshd.pid" ] || return 0
    pid="$(cat "$DIR/sshd.pid" 2>/dev/null || true)"
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-f $DIR/sshd_config" || return 0
    netns_exists "$NETNS" && [ "$(netns_inode "$pid")" = "$(node_inode)" ] || return 0
    echo "$pid"
}

sshd_listening() {
    ip netns exec "$NETNS" ss -Hltn "sport = :$SSH_PORT" 2>/dev/null | grep -qF "$NODE_IP:$SSH_PORT"
}

sshd_up() {
    [ -f "$SSH_DIR/authorized_keys" ] || die "$SSH_DIR/authorized_keys is missing: run scripts/lab/sshd.sh up first (scripts/lab.sh up does)"
    sshd_keys
    sshd_config
    local pid n=50
    pid="$(sshd_pid)"
    if [ -n "$pid" ]; then
        kill -HUP "$pid"   # re-reads the config; open sessions stay
    else
        rm -f "$DIR/sshd.pid"
        # nsenter --net only: same mount namespace as the host (ip netns exec would make a new one)
        nsenter --net="/var/run/netns/$NETNS" -- "$SSHD" -f "$DIR/sshd_config" -E "$DIR/sshd.log"
    fi
    while ! sshd_listening; do
        n=$((n - 1))
        [ "$n" -gt 0 ] || die "node 2's sshd is not listening on $NODE_IP:$SSH_PORT; see $DIR/sshd.log"
        sleep 0.1
    done
}

# every process whose network namespace is node 2's (the sshd, its sessions): by PID
pids_in_node_netns() {
    netns_exists "$NETNS" || return 0
    local ino f p
    ino="$(node_inode)"
    for f in /proc/[0-9]*/ns/net; do
        p="${f#/proc/}"; p="${p%%/*}"
        [ "$p" = "$$" ] && continue
        [ "$(readlink "$f" 2>/dev/null || true)" = "net:[$ino]" ] && echo "$p"
    done
    return 0
}

sshd_stop() {
    local pid children n=50 rest
    pid="$(sshd_pid)"
    if [ -n "$pid" ]; then
        children="$(ps -o pid= --ppid "$pid" 2>/dev/null || true)"
        # shellcheck disable=SC2086
        kill $children "$pid" 2>/dev/null || true
        while [ -d "/proc/$pid" ] && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
        [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    fi
    rest="$(pids_in_node_netns)"
    if [ -n "$rest" ]; then
        log "stopping processes left in netns $NETNS: $(echo $rest)"
        # shellcheck disable=SC2086
        kill $rest 2>/dev/null || true
        sleep 0.5
        rest="$(pids_in_node_netns)"
        # shellcheck disable=SC2086
        [ -z "$rest" ] || kill -KILL $rest 2>/dev/null || true
    fi
    rm -f "$DIR/sshd.pid"
}

# ---- pods -----------------------------------------------------------------------------------
# veth_into NODEIF NETNS(pid or name): a veth pair made on node 2, pod end = eth0 in the netns,
# node end NODEIF on node 2's cni0
veth_into() {
    n2 link del dev "$1" 2>/dev/null || true
    n2 link add name "$1" type veth peer name eth0 netns "$2"
    n2 link set dev "$1" master "$BRIDGE" up
}

# pod_if_setup EXEC-PREFIX... : addresses and default route via cni0, run with the given prefix
pod_if_setup() { # ip CIDR cmd-prefix...
    local cidr="$1"; shift
    "$@" ip link set dev lo up
    "$@" ip addr add "$cidr" dev eth0
    "$@" ip link set dev eth0 up
    "$@" ip route replace default via "$BRIDGE_IP" dev eth0
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

n2_peer_ok() { # NODEIF: on node 2's cni0
    n2 -o link show dev "$1" 2>/dev/null | grep -q " master $BRIDGE "
}

ok_docker() {
    docker_running "$D_PAUSE" && docker_running "$D_APP" && n2_peer_ok "$D_NODEIF" || return 1
    local pid; pid="$(docker_pid "$D_PAUSE")"
    has_addr "$pid" eth0 "$D_IP" \
        && [ "$(netns_inode "$pid")" = "$(netns_inode "$(docker_pid "$D_APP")")" ]
}
down_docker() { docker_rm "$D_APP" "$D_PAUSE"; if netns_exists "$NETNS"; then n2 link del dev "$D_NODEIF" 2>/dev/null || true; fi; }
up_docker() {
    docker_run_labeled "$D_KEY" "$D_NS" "$D_POD" "$D_UID" POD podsandbox \
        --name "$D_PAUSE" --network none --restart no "$IMAGE" sh -c "$PAUSE_CMD"
    local pid; pid="$(docker_pid "$D_PAUSE")"
    veth_into "$D_NODEIF" "$pid"
    pod_if_setup "$D_IP/24" nsenter -t "$pid" -n --
    docker_run_labeled "$D_KEY" "$D_NS" "$D_POD" "$D_UID" "$D_CONT" container \
        --name "$D_APP" --network "container:$D_PAUSE" --restart no \
        "$IMAGE" sh -c "$HTTPD_CMD" sh "$(content_of "$D_KEY" "$D_NS" "$D_POD")" 8080
}

ok_containerd() {
    local pid; pid="$(task_pid "$C_ID")"
    [ -n "$pid" ] && netns_exists "$C_NETNS" && n2_peer_ok "$C_NODEIF" \
        && [ "$(netns_inode "$pid")" = "$(stat -L -c %i "/var/run/netns/$C_NETNS")" ] \
        && has_addr "$pid" eth0 "$C_IP"
}
down_containerd() {
    ctr_rm "$C_ID"
    if netns_exists "$NETNS"; then n2 link del dev "$C_NODEIF" 2>/dev/null || true; fi
    netns_del "$C_NETNS"
}
up_containerd() {
    ip netns add "$C_NETNS"
    veth_into "$C_NODEIF" "$C_NETNS"
    pod_if_setup "$C_IP/24" ip netns exec "$C_NETNS"
    $CTR run -d --null-io \
        --label "$LABEL=$C_KEY" \
        --label io.kubernetes.pod.namespace="$C_NS" --label io.kubernetes.pod.name="$C_POD" \
        --label io.kubernetes.pod.uid="$C_UID" --label io.kubernetes.container.name="$C_CONT" \
        --label io.cri-containerd.kind=container \
        --with-ns "network:/var/run/netns/$C_NETNS" \
        "$CTR_IMAGE" "$C_ID" sh -c "$HTTPD_CMD" sh "$(content_of "$C_KEY" "$C_NS" "$C_POD")" 8080 >/dev/null
    local n=50
    while [ "$n" -gt 0 ] && [ -z "$(task_pid "$C_ID")" ]; do sleep 0.1; n=$((n - 1)); done
    [ -n "$(task_pid "$C_ID")" ] || die "containerd task $C_ID ($C_NS/$C_POD) did not start"
}

# ---- ground truth ---------------------------------------------------------------------------
# truth KEY PID NODEIF: expect.* read from the kernel; host-side = as seen in node 2's netns
truth() {
    local key="$1" pid="$2" nodeif="$3" line idx link kind nline nidx nlink
    line="$(in_ns "$pid" ip -o link show dev eth0)"
    idx="${line%%:*}"
    link="$(printf '%s\n' "$line" | sed -n 's/^[0-9]*: [^@:]*@if\([0-9]*\):.*/\1/p')"
    kind="$(in_ns "$pid" ip -o -d link show dev eth0 | grep -oE ' (veth|ipvlan|macvlan) ' | tr -d ' ' | head -n 1)"
    nline="$(n2 -o link show dev "$nodeif")"
    nidx="${nline%%:*}"
    nlink="$(printf '%s\n' "$nline" | sed -n 's/^[0-9]*: [^@:]*@if\([0-9]*\):.*/\1/p')"
    [ "$kind" = veth ] && [ "$link" = "$nidx" ] && [ "$nlink" = "$idx" ] \
        || die "pod $key: eth0 ($line) and $nodeif on node 2 ($nline) are not each other's veth peers"
    printf 'pod.%s.expect.%s=%s\n' \
        "$key" pid "$pid" "$key" netns "$(netns_inode "$pid")" "$key" podIf eth0 "$key" podIfIndex "$idx" \
        "$key" podIfKind "$kind" "$key" linkIndex "$link" "$key" peerIndex "$link" \
        "$key" hostIf "$nodeif" "$key" hostIfIndex "$nidx"
}

pod_props() { # KEY NS POD UID CONTAINER CONTAINERID PODIP LABELS OWNER
    printf 'pod.%s.%s=%s\n' \
        "$1" namespace "$2" "$1" name "$3" "$1" uid "$4" "$1" container "$5" \
        "$1" containerID "$6" "$1" podIP "$7" "$1" hostNetwork false "$1" labels "$8" \
        "$1" owner "$9" "$1" node "$NODE"
}

write_state() {
    local tmp="$STATE.tmp.$$" fp
    fp="$(ssh-keygen -lf "$DIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)"
    {
        printf '# written by scripts/lab/node2.sh up at %s; read by io.k8scap.lab.Lab.node2()\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        printf 'node.name=%s\nnode.address=%s\nnode.netns=%s\nnode.netnsInode=%s\n' "$NODE" "$NODE_IP" "$NETNS" "$(node_inode)"
        printf 'node.hostIf=%s\nnode.hostAddress=%s\nnode.bridge=%s\nnode.bridgeIP=%s\nnode.podCIDR=%s\n' \
            "$HOSTIF" "$HOST_IP" "$BRIDGE" "$BRIDGE_IP" "$POD_NET"
        printf 'ssh.address=%s\nssh.port=%s\nssh.user=root\nssh.identity=%s\nssh.knownHosts=%s\nssh.hostKeyFingerprint=%s\n' \
            "$NODE_IP" "$SSH_PORT" "$SSH_DIR/id_ed25519" "$DIR/known_hosts" "$fp"
        printf 'pods=%s,%s\n' "$D_KEY" "$C_KEY"

        pod_props "$D_KEY" "$D_NS" "$D_POD" "$D_UID" "$D_CONT" "docker://$(docker_id "$D_APP")" "$D_IP" \
            "app=cart,pod-template-hash=5f6d7c8b9" "ReplicaSet/cart-5f6d7c8b9"
        printf 'pod.%s.deployment=cart\npod.%s.sandboxID=%s\n' "$D_KEY" "$D_KEY" "$(docker_id "$D_PAUSE")"
        printf 'pod.%s.expect.url=http://%s:8080/\npod.%s.expect.content=%s\n' "$D_KEY" "$D_IP" "$D_KEY" "$(content_of "$D_KEY" "$D_NS" "$D_POD")"
        truth "$D_KEY" "$(docker_pid "$D_APP")" "$D_NODEIF"

        pod_props "$C_KEY" "$C_NS" "$C_POD" "$C_UID" "$C_CONT" "containerd://$C_ID" "$C_IP" \
            "app=checkout" "StatefulSet/checkout"
        printf 'pod.%s.netnsName=%s\n' "$C_KEY" "$C_NETNS"
        printf 'pod.%s.expect.url=http://%s:8080/\npod.%s.expect.content=%s\n' "$C_KEY" "$C_IP" "$C_KEY" "$(content_of "$C_KEY" "$C_NS" "$C_POD")"
        truth "$C_KEY" "$(task_pid "$C_ID")" "$C_NODEIF"
    } >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$STATE"
}

prove() {
    wait_http "http://$D_IP:8080/" "$(content_of "$D_KEY" "$D_NS" "$D_POD")" \
        || die "the host cannot fetch http://$D_IP:8080/ (pod $D_KEY) through node 2 ($NODE_IP)"
    wait_http "http://$C_IP:8080/" "$(content_of "$C_KEY" "$C_NS" "$C_POD")" \
        || die "the host cannot fetch http://$C_IP:8080/ (pod $C_KEY) through node 2 ($NODE_IP)"
    log "traffic: host -> $NODE_IP -> $BRIDGE -> both node 2 pods: ok"
}

# ---- verbs ----------------------------------------------------------------------------------
lock() {
    mkdir -p "$LAB_DIR"
    exec 9>"$LAB_DIR/node2.lock"
    flock -w 300 9 || die "another scripts/lab/node2.sh holds $LAB_DIR/node2.lock"
}

do_up() {
    dk image inspect "$IMAGE" >/dev/null 2>&1 \
        || die "docker has no image $IMAGE: run scripts/lab/install.sh (scripts/lab.sh up does)"
    $CTR images ls -q | grep -qxF "$CTR_IMAGE" \
        || die "containerd (k8s.io) has no image $CTR_IMAGE: run scripts/lab/install.sh"
    node_up
    sshd_up
    log "sshd: $NODE_IP:$SSH_PORT in netns $NETNS"
    local key
    for key in docker containerd; do
        if "ok_$key" 2>/dev/null; then
            log "pod node2-$key: running, kept"
        else
            "down_$key"
            "up_$key"
            "ok_$key" || die "pod node2-$key did not come up healthy"
            log "pod node2-$key: created"
        fi
    done
    prove
    write_state
    log "state: $STATE"
}

do_down() {
    rm -f "$STATE"
    sshd_stop
    down_docker
    down_containerd
    local ids id
    ids="$(dk ps -aq --filter "label=$LABEL" 2>/dev/null || true)"
    if [ -n "$ids" ]; then
        # shellcheck disable=SC2086
        docker_rm $ids
    fi
    for id in $($CTR containers ls -q "labels.\"$LABEL\"" 2>/dev/null || true); do
        ctr_rm "$id"
    done
    node_down
    rm -f "$DIR/sshd_config" "$DIR/sshd.log" "$DIR/sshd.pid" "$DIR/known_hosts"
    log "down: node 2's sshd, pods, netns $NETNS and $C_NETNS, $HOSTIF, route and FORWARD rules removed (host key kept in $DIR)"
}

do_status() {
    echo "== node 2 ($NETNS)"
    if netns_exists "$NETNS"; then
        n2 -br addr 2>/dev/null || true
        local pid; pid="$(sshd_pid)"
        echo "sshd: ${pid:-not running}"
    else
        echo "netns $NETNS: absent"
    fi
    ip -br link show dev "$HOSTIF" 2>/dev/null || echo "$HOSTIF: absent"
    ip route show "$POD_NET" 2>/dev/null
    echo "== docker containers (label $LABEL)"
    dk ps -a --filter "label=$LABEL" --format '{{.ID}}  {{.Status}}  {{.Names}}' 2>/dev/null || true
    echo "== containerd task"
    $CTR task ls 2>/dev/null | awk -v id="$C_ID" '$1 == id'
    echo "== state"
    if [ -f "$STATE" ]; then ls -l "$STATE"; else echo "$STATE: absent"; fi
}

case "${1:-}" in
    up) lock; do_up ;;
    down) lock; do_down ;;
    status) do_status ;;
    *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
