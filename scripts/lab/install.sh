#!/usr/bin/env bash
# Installs what the k8scap test lab needs from Debian packages, starts containerd and dockerd when
# they are not running, and builds the lab's busybox image locally (no registry is reachable).
# Idempotent: does nothing that is already done. Run as root: scripts/lab/install.sh
set -eu

LAB_DIR="${K8SCAP_LAB_DIR:-/var/lib/k8scap-lab}"
IMAGE="k8scap-lab/busybox:latest"
CTR_IMAGE="docker.io/${IMAGE}"
DOCKER=/usr/bin/docker
CONTAINERD_SOCK=/run/containerd/containerd.sock
PACKAGES="docker.io containerd runc tcpdump tshark openssh-server openssh-client sudo busybox-static
iproute2 iptables nftables ipset procps util-linux tcpreplay"
# applets linked into the image (all exist in Debian's busybox-static)
APPLETS="sh ash cat ls ps sleep httpd wget nc ip ifconfig route ping echo printf mkdir rm cp mv ln
grep sed awk head tail tr cut sort uniq wc env id hostname kill killall netstat nslookup
sysctl timeout true false test [ mount umount dmesg date uname vi less find xargs tee touch"

log() { printf 'lab/install: %s\n' "$*" >&2; }
die() { printf 'lab/install: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (try: sudo $0)"
mkdir -p "$LAB_DIR"

has_systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# wait_for SECONDS CMD...: polls CMD every 0.2 s
wait_for() {
    local n=$(( $1 * 5 )); shift
    while [ "$n" -gt 0 ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
        n=$(( n - 1 ))
    done
    return 1
}

install_packages() {
    local missing="" p
    for p in $PACKAGES; do
        # A machine with Docker's own packages (docker-ce, containerd.io) already has the daemons;
        # Debian's docker.io/containerd would conflict with them.
        case $p in
            docker.io) command -v dockerd >/dev/null 2>&1 && continue ;;
            containerd) command -v containerd >/dev/null 2>&1 && continue ;;
            runc) command -v runc >/dev/null 2>&1 && continue ;;
        esac
        if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
            missing="$missing $p"
        fi
    done
    if [ -z "$missing" ]; then
        log "packages: all present"
        return 0
    fi
    log "packages: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture: answer "no" ahead of time
    if command -v debconf-set-selections >/dev/null 2>&1; then
        echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    fi
    apt-get update -q
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    apt-get install -y -q --no-install-recommends $missing
}

containerd_ok() { [ -S "$CONTAINERD_SOCK" ] && ctr --address "$CONTAINERD_SOCK" version; }

start_containerd() {
    if containerd_ok >/dev/null 2>&1; then
        log "containerd: running"
        return 0
    fi
    if has_systemd && systemctl start containerd 2>/dev/null && wait_for 30 containerd_ok; then
        log "containerd: started by systemd"
        return 0
    fi
    log "containerd: starting (log: $LAB_DIR/containerd.log)"
    nohup containerd >>"$LAB_DIR/containerd.log" 2>&1 </dev/null &
    wait_for 30 containerd_ok || die "containerd did not come up; see $LAB_DIR/containerd.log"
}

docker_ok() { "$DOCKER" info; }

start_dockerd() {
    if docker_ok >/dev/null 2>&1; then
        log "dockerd: running"
        return 0
    fi
    if has_systemd && systemctl start docker 2>/dev/null && wait_for 60 docker_ok; then
        log "dockerd: started by systemd"
        return 0
    fi
    log "dockerd: starting (log: $LAB_DIR/dockerd.log)"
    nohup dockerd --containerd="$CONTAINERD_SOCK" >>"$LAB_DIR/dockerd.log" 2>&1 </dev/null &
    wait_for 60 docker_ok || die "dockerd did not come up; see $LAB_DIR/dockerd.log"
}

build_image() {
    if ! "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
        local tmp a
        tmp="$(mktemp -d "$LAB_DIR/image.XXXXXX")"
        # shellcheck disable=SC2064 # expand now: tmp is local
        trap "rm -rf '$tmp'" EXIT
        mkdir -p "$tmp/root/bin" "$tmp/root/etc" "$tmp/root/tmp" "$tmp/root/www" \
                 "$tmp/root/proc" "$tmp/root/sys" "$tmp/root/dev" "$tmp/root/root"
        cp /bin/busybox "$tmp/root/bin/busybox"
        for a in $APPLETS; do
            ln -s busybox "$tmp/root/bin/$a"
        done
        chmod 1777 "$tmp/root/tmp"
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$tmp/root/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/root/etc/group"
        printf 'k8scap lab busybox\n' >"$tmp/root/www/index.html"
        tar -C "$tmp/root" --numeric-owner --owner=0 --group=0 -cf "$tmp/rootfs.tar" .
        "$DOCKER" import \
            --change 'ENV PATH=/bin' \
            --change 'CMD ["sh"]' \
            "$tmp/rootfs.tar" "$IMAGE" >/dev/null
        rm -rf "$tmp"
        trap - EXIT
        log "image: built $IMAGE in docker"
    else
        log "image: $IMAGE present in docker"
    fi
    if ctr -n k8s.io images ls -q | grep -qxF "$CTR_IMAGE"; then
        log "image: $CTR_IMAGE present in containerd (k8s.io)"
    else
        "$DOCKER" save "$IMAGE" | ctr -n k8s.io images import - >/dev/null
        ctr -n k8s.io images ls -q | grep -qxF "$CTR_IMAGE" \
            || die "importing $IMAGE into containerd's k8s.io namespace failed"
        log "image: imported $CTR_IMAGE into containerd (k8s.io)"
    fi
}

install_packages
start_containerd
start_dockerd
build_image
