# k8scap-debug: run a command (or a shell) inside a container's namespaces with this node's tools.
# POSIX sh. Arguments, as quoted positional parameters (data, never evaluated):
#   $1  PID of the container's main process (host PID namespace)
#   $2  1 to also enter the container's mount namespace (its filesystem and tools), else 0
#   $3… the command and its arguments; none: an interactive shell (bash if present, else sh)
#
# Without the mount namespace the command runs in a private mount namespace (unshare -m, discarded
# when it ends) on the node's filesystem, with /proc and /sys mounted afresh so that ps and
# /sys/class/net show the container's PID and network namespaces, not the node's.
#
# Before the command starts, a failure is reported as ONE stderr line
#   k8scap-debug-error<TAB>CODE<TAB>DETAIL
# and exit status 125; CODE: notools (DETAIL: what is missing), gone (the process exited),
# denied (not root). After that, the exit status is the command's own.


fail() {
    printf 'k8scap-debug-error\t%s\t%s\n' "$1" "$2" >&2
    exit 125
}

pid=$1
mount=$2
shift 2

command -v nsenter >/dev/null 2>&1 || fail notools nsenter
[ -d "/proc/$pid" ] || fail gone "$pid"
[ "$(id -u)" = 0 ] || fail denied "nsenter needs root (uid $(id -u))"

if [ $# -eq 0 ]; then
    if [ "$mount" != 1 ] && command -v bash >/dev/null 2>&1; then
        set -- bash
    else
        set -- sh
    fi
fi

if [ "$mount" = 1 ]; then
    exec nsenter -t "$pid" -n -p -u -i -m -- "$@"
fi
if ! command -v unshare >/dev/null 2>&1; then
    # ps would show the node's processes: still useful for the network, say so once
    echo "k8scap-debug: unshare missing on the node: /proc shows the node's processes" >&2
    exec nsenter -t "$pid" -n -p -u -i -- "$@"
fi
exec nsenter -t "$pid" -n -p -u -i -- unshare -m --propagation private -- sh -c '
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
exec "$@"' k8scap-debug "$@"
