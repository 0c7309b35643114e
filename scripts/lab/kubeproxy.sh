#!/usr/bin/env bash
# kube-proxy-shaped rules in lab node 2's own network namespace (k8scap-node2), for proxy-inspect's lab tests.
# No kube-proxy runs: the tests generate what it would program from API objects and load it here.
#
#   scripts/lab/kubeproxy.sh up --iptables FILE [--ip6tables FILE] [--nft FILE]
#                               replace node 2's kube-proxy rules with FILE(s): iptables-restore / ip6tables-restore
#                               (the iptables-nft backend, as kube-proxy's default) and/or nft -f. Idempotent:
#                               whatever an earlier `up` loaded is removed first.
#   scripts/lab/kubeproxy.sh down
#                               remove every KUBE-* chain and every rule mentioning KUBE- from node 2's iptables
#                               (both backends, IPv4 and IPv6) and delete nft tables ip/ip6 kube-proxy; nothing else
#                               in the namespace is touched. Never fails on missing pieces.
#   scripts/lab/kubeproxy.sh status   what is loaded
# Needs scripts/lab/node2.sh up (scripts/lab.sh up) first; root.
set -eu

NETNS="${K8SCAP_NODE2_NETNS:-k8scap-node2}"

log() { printf 'lab/kubeproxy: %s\n' "$*" >&2; }
die() { printf 'lab/kubeproxy: error: %s\n' "$*" >&2; exit 1; }
usage() { echo "usage: $0 up [--iptables FILE] [--ip6tables FILE] [--nft FILE] | down | status" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (try: sudo $0 ${1:-status})"
ip netns list | grep -qw "^$NETNS" || die "network namespace $NETNS does not exist: run scripts/lab.sh up first"

in_ns() { ip netns exec "$NETNS" "$@"; }

# strip_kube SAVE RESTORE: rewrite each table without KUBE-* chains and rules that mention them.
strip_kube() {
    local save="$1" restore="$2"
    command -v "$save" >/dev/null 2>&1 || return 0
    if in_ns "$save" 2>/dev/null | grep -q -- 'KUBE-'; then
        in_ns "$save" | grep -v -- 'KUBE-' | in_ns "$restore"
    fi
}

down() {
    local b
    for b in nft legacy; do
        strip_kube "iptables-$b-save" "iptables-$b-restore"
        strip_kube "ip6tables-$b-save" "ip6tables-$b-restore"
    done
    in_ns nft delete table ip kube-proxy 2>/dev/null || true
    in_ns nft delete table ip6 kube-proxy 2>/dev/null || true
}

up() {
    local v4="" v6="" nft=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --iptables) [ $# -ge 2 ] || usage; v4="$2"; shift 2 ;;
            --ip6tables) [ $# -ge 2 ] || usage; v6="$2"; shift 2 ;;
            --nft) [ $# -ge 2 ] || usage; nft="$2"; shift 2 ;;
            *) usage ;;
        esac
    done
    [ -n "$v4$v6$nft" ] || usage
    for f in $v4 $v6 $nft; do [ -r "$f" ] || die "cannot read $f"; done
    down
    if [ -n "$v4" ]; then in_ns iptables-nft-restore < "$v4"; log "loaded $v4 into $NETNS (iptables-nft)"; fi
    if [ -n "$v6" ]; then in_ns ip6tables-nft-restore < "$v6"; log "loaded $v6 into $NETNS (ip6tables-nft)"; fi
    if [ -n "$nft" ]; then in_ns nft -f "$nft"; log "loaded $nft into $NETNS (nft)"; fi
}

status() {
    local b
    for b in nft legacy; do
        printf 'iptables-%s: %s KUBE chains\n' "$b" "$(in_ns "iptables-$b-save" 2>/dev/null | grep -c '^:KUBE-' || true)"
    done
    printf 'nft table ip kube-proxy: %s\n' "$(in_ns nft list table ip kube-proxy >/dev/null 2>&1 && echo present || echo absent)"
}

[ $# -ge 1 ] || usage
cmd="$1"; shift
case "$cmd" in
    up) up "$@" ;;
    down) down ;;
    status) status ;;
    *) usage ;;
esac
