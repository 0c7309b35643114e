#!/usr/bin/env bash
# The k8scap test lab on this machine (Debian/Ubuntu, as root). Idempotent.
#
#   sudo scripts/lab.sh up      packages + containerd/dockerd + busybox image (lab/install.sh),
#                               loopback sshds (lab/sshd.sh), pods (lab/pods.sh), a second node
#                               lab-node-2 in netns k8scap-node2 with its sshd and pods (lab/node2.sh)
#   sudo scripts/lab.sh down    node 2, pods, then sshds. Packages, the shared docker/containerd daemons and
#                               the busybox image stay: other work on this machine uses them.
#   sudo scripts/lab.sh status  what is running, and the state files
#
# State for the tests lives in $K8SCAP_LAB_DIR (default /var/lib/k8scap-lab): ssh.properties and
# pods.properties (and node2.properties), read by src/test/java/io/k8scap/lab/Lab.java.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
LAB_DIR="${K8SCAP_LAB_DIR:-/var/lib/k8scap-lab}"
SSHD_SH="$HERE/lab/sshd.sh"

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

usage() { echo "usage: $0 up|down|status" >&2; exit 2; }

[ $# -eq 1 ] || usage
case "$1" in up|down|status) ;; *) usage ;; esac
[ "$(id -u)" = 0 ] || die "must run as root: it installs packages, runs containers and changes network interfaces (try: sudo $0 $1)"

have_sshd_sh() {
    if [ -f "$SSHD_SH" ]; then return 0; fi
    log "$SSHD_SH is not there: skipping the lab sshd (it writes ssh.properties)"
    return 1
}

up() {
    mkdir -p "$LAB_DIR"
    "$HERE/lab/install.sh"
    if have_sshd_sh; then sh "$SSHD_SH" up; fi
    "$HERE/lab/pods.sh" up
    "$HERE/lab/node2.sh" up
    log "up: state in $LAB_DIR"
}

down() {
    "$HERE/lab/node2.sh" down
    "$HERE/lab/pods.sh" down
    if have_sshd_sh; then sh "$SSHD_SH" down; fi
    log "down"
}

status() {
    local f pid
    echo "== daemons"
    for f in containerd dockerd; do
        pid="$(pgrep -x "$f" | head -n 1 || true)"
        printf '%-10s %s\n' "$f" "${pid:-not running}"
    done
    "$HERE/lab/pods.sh" status
    "$HERE/lab/node2.sh" status
    echo "== sshd"
    if [ -d "$LAB_DIR/ssh" ]; then
        for f in "$LAB_DIR"/ssh/*.pid; do
            [ -e "$f" ] || continue
            pid="$(cat "$f" 2>/dev/null || true)"
            if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
                printf '%s: pid %s running\n' "$(basename "$f" .pid)" "$pid"
            else
                printf '%s: pid %s not running\n' "$(basename "$f" .pid)" "${pid:-?}"
            fi
        done
    else
        echo "no $LAB_DIR/ssh"
    fi
    echo "== state files"
    for f in "$LAB_DIR/ssh.properties" "$LAB_DIR/pods.properties" "$LAB_DIR/node2.properties"; do
        if [ -f "$f" ]; then ls -l "$f"; else echo "$f: absent"; fi
    done
}

"$1"
