# k8scap-context: the network context of pods on this node, for capture --metadata. POSIX sh.
# Defines k8scap_context only; locate-capture.sh includes it before capture.sh, whose parameter
# reader calls it when k8scap sends "context" (after the locate answer, before "capture").
#
# stdin (read by capture.sh's param): "context", N, then N lines "PID IP" (PID: the pod's
# container, whose network namespace is entered; IP: the pod's address for the node's conntrack
# table, or "-"). Data, never evaluated; a line that is not digits and an address is skipped.
# stdout: one record per line, fields separated by one TAB:
#   ctx   PID  SECTION  LINE     SECTION: addr route route6 neigh ss resolv sysctl conntrack, or
#                                note (a tool missing, a file not read and why)
#   done  -    context           the last line
# What is read: `ip addr/route/neigh` and `ss -tanup` in the pod's netns, the container's
# /etc/resolv.conf (a regular file only, never a symlink: it would resolve against the node's
# root), four sysctls of the pod's netns, the node's conntrack entries naming IP (at most 200).
# Nothing else: no environment, no other file.

k8scap_context() {
    param
    isnum "$p" || { say "usage: context N, then N lines PID IP"; exit 2; }
    ctx_n=$p
    ctx_j=0
    ctx_ct=
    ctx_ctst=
    while [ "$ctx_j" -lt "$ctx_n" ]; do
        param
        ctx_pid=${p%% *}
        ctx_ip=${p#* }
        ctx_j=$((ctx_j + 1))
        isnum "$ctx_pid" || continue
        case $ctx_ip in
            - | *[!0-9A-Fa-f.:]* | '') ctx_ip= ;;
        esac
        ctx_one
    done
    printf 'done\t-\tcontext\n'
}

# ctx_out SECTION: stdin as ctx records of $ctx_pid (digits) and SECTION (a constant word).
ctx_out() {
    ctx_t=$(printf '	')
    sed "s/^/ctx$ctx_t$ctx_pid$ctx_t$1$ctx_t/"
}

ctx_note() {
    printf 'ctx\t%s\tnote\t%s\n' "$ctx_pid" "$*"
}

ctx_one() {
    if ! command -v nsenter >/dev/null 2>&1; then
        ctx_note "nsenter is not installed on this node: no netns context"
    elif command -v ip >/dev/null 2>&1; then
        nsenter -t "$ctx_pid" -n ip addr show 2>&1 | ctx_out addr
        nsenter -t "$ctx_pid" -n ip route show 2>&1 | ctx_out route
        nsenter -t "$ctx_pid" -n ip -6 route show 2>&1 | ctx_out route6
        nsenter -t "$ctx_pid" -n ip neigh show 2>&1 | ctx_out neigh
    else
        ctx_note "ip is not installed on this node"
    fi
    if command -v nsenter >/dev/null 2>&1 && command -v ss >/dev/null 2>&1; then
        nsenter -t "$ctx_pid" -n ss -tanup 2>&1 | ctx_out ss
    else
        ctx_note "ss is not installed on this node"
    fi
    ctx_root=/proc/$ctx_pid/root
    if [ -L "$ctx_root/etc" ] || [ -L "$ctx_root/etc/resolv.conf" ]; then
        ctx_note "/etc/resolv.conf of the container is a symlink: not followed"
    elif [ -f "$ctx_root/etc/resolv.conf" ]; then
        head -c 16384 "$ctx_root/etc/resolv.conf" 2>&1 | ctx_out resolv
    else
        ctx_note "the container has no /etc/resolv.conf"
    fi
    if command -v nsenter >/dev/null 2>&1; then
        # /proc/sys/net is the reader's netns: read from inside the pod's
        nsenter -t "$ctx_pid" -n sh -c 'for f; do printf "%s = %s\n" "$f" "$(cat "/proc/sys/$(printf %s "$f" | tr . /)" 2>/dev/null || echo "?")"; done' \
            sh net.ipv4.ip_forward net.ipv4.conf.all.rp_filter net.ipv4.conf.default.rp_filter net.core.somaxconn 2>&1 | ctx_out sysctl
    fi
    if [ -z "$ctx_ip" ]; then
        :
    elif command -v conntrack >/dev/null 2>&1; then
        # the node's table is read once for all the pods of the request
        if [ -z "$ctx_ctst" ]; then
            ctx_ct=$(timeout 5 conntrack -L 2>/dev/null)
            ctx_ctst=$?
        fi
        if [ "$ctx_ctst" = 0 ]; then
            printf '%s\n' "$ctx_ct" | grep -F -e "src=$ctx_ip " -e "dst=$ctx_ip " | head -n 200 | ctx_out conntrack
        else
            ctx_note "conntrack -L failed on this node (status $ctx_ctst): no connection tracking entries"
        fi
    else
        ctx_note "conntrack is not installed on this node: no connection tracking entries"
    fi
}
