# k8scap-locate: find containers' PIDs, network namespaces and interfaces on this node.
# POSIX sh (dash, busybox ash); no bash-isms, no jq, no python, nothing written to disk.
#
# Arguments: one RUNTIME://ID per container (docker://…, containerd://…, cri-o://…), passed as
# quoted positional parameters; they are data and never evaluated.
#
# Output: one record per line, fields separated by one TAB; field 1 is the record type, field 2
# the container spec as given ("-" for node-wide records). RAW is a line exactly as `ip -o` prints
# it (it may itself contain tabs: it is always the last field).
#   k8scap-locate  -     1                  protocol version, always the first line
#   tool           -     NAME  PATH         a tool found (tcpdump nsenter ip crictl docker ctr)
#   hostns         -     INODE              netns inode of this shell (/proc/self/ns/net): the node's
#   hostlink       -     RAW                `ip -o -d link show` in the node's netns
#   hostaddr       -     RAW                `ip -o addr show` in the node's netns
#   pid            SPEC  METHOD  PID        METHOD: docker | crictl | ctr | cgroup
#   netns          SPEC  INODE  host|own    host: the container shares the node's netns (no link/
#                                           addr records follow: the host* records apply)
#   link           SPEC  RAW                `nsenter -t PID -n ip -o -d link show`
#   addr           SPEC  RAW                `nsenter -t PID -n ip -o addr show`
#   err            SPEC  CODE  DETAIL       the container could not be (fully) located; CODE is one of
#       badspec     not RUNTIME://ID, or the ID has characters no runtime uses
#       notfound    the runtime CLI answered that it has no such container, and no cgroup names it
#       notrunning  the runtime knows the container but it has no running process
#       noruntime   no CLI for this runtime on the node (DETAIL lists them; empty for a runtime
#                   this script knows no CLI for) and no cgroup names it
#       runtimefail the runtime CLI failed (DETAIL: its last line), and no cgroup names it
#       denied      permission denied (DETAIL: what refused)
#       gone        the process exited while being looked at
#       notools     nsenter and/or ip missing (DETAIL lists them)
#       nsenter     entering the netns failed (DETAIL: nsenter's last line)
#   done           -     N                  N containers handled; always the last line
# Every container gets either a pid record or an err record; an err never stops the others.
# The exit status is 0 whenever the script ran to the end.

T=$(printf '\t')

# rec TYPE SPEC FIELD...: one record, fields joined by tabs.
rec() {
    r=$1
    shift
    for f in "$@"; do
        r="$r$T$f"
    done
    printf '%s\n' "$r"
}

# emit TYPE SPEC: every non-empty line of stdin as a TYPE record.
emit() {
    while IFS= read -r l; do
        [ -n "$l" ] && printf '%s\t%s\t%s\n' "$1" "$2" "$l"
    done
}

# lastline TEXT: its last non-empty line, tabs and CRs made spaces.
lastline() {
    printf '%s\n' "$1" | tr '\t\r' '  ' | sed '/^[[:space:]]*$/d' | tail -n 1
}

# have NAME: absolute path of an executable NAME in PATH (not a shell builtin or busybox applet,
# so that what runs is what is reported).
have() {
    (
        IFS=:
        for d in $PATH; do
            case "$d" in /*) ;; *) continue ;; esac
            if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then
                echo "$d/$1"
                exit 0
            fi
        done
        exit 1
    )
}

rec k8scap-locate - 1

for t in tcpdump nsenter ip crictl docker ctr; do
    p=$(have "$t")
    case "$p" in
        /*) rec tool - "$t" "$p" ;;
        *) p= ;;
    esac
    case "$t" in
        nsenter) NSENTER=$p ;;
        ip) IP=$p ;;
        crictl) CRICTL=$p ;;
        docker) DOCKER=$p ;;
        ctr) CTR=$p ;;
    esac
done

# A runtime CLI that hangs (daemon stuck) must not hang the whole lookup.
TMO=
if have timeout >/dev/null; then
    if timeout 5 true 2>/dev/null; then
        TMO="timeout 20"
    elif timeout -t 5 true 2>/dev/null; then
        TMO="timeout -t 20"
    fi
fi

# ns_inode PID|self: inode of that process' network namespace.
ns_inode() {
    i=$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null)
    case "$i" in
        '' | *[!0-9]*) ;;
        *) echo "$i"; return 0 ;;
    esac
    l=$(readlink "/proc/$1/ns/net" 2>/dev/null) || return 1
    case "$l" in
        'net:['*']') l=${l#net:?}; echo "${l%?}"; return 0 ;;
    esac
    return 1
}

ppid_of() {
    while read -r k v; do
        if [ "$k" = "PPid:" ]; then
            echo "$v"
            return 0
        fi
    done <"/proc/$1/status"
} 2>/dev/null

HOSTNS=$(ns_inode self)
rec hostns - "$HOSTNS"
if [ -n "$IP" ]; then
    "$IP" -o -d link show 2>/dev/null | emit hostlink -
    "$IP" -o addr show 2>/dev/null | emit hostaddr -
fi

# Each by_* sets pid+method on success, or notes what the CLI said: missing (name appended to
# MISSING), SAID_NOTRUNNING, SAID_NOTFOUND, SAID_DENIED, SAID_FAIL (a detail line each).
said() { # OUT CLI
    d="$2: $(lastline "$1")"
    case "$1" in
        *[Pp]ermission\ denied* | *[Nn]ot\ permitted*) SAID_DENIED=$d ;;
        *'No such'* | *[Nn]ot\ found* | *NotFound*) SAID_NOTFOUND=$d ;;
        *) SAID_FAIL=$d ;;
    esac
}

numeric_pid() {
    case "$1" in
        '' | *[!0-9]*) return 1 ;;
    esac
    return 0
}

by_docker() {
    [ -n "$DOCKER" ] || { MISSING="$MISSING docker"; return 1; }
    out=$($TMO "$DOCKER" inspect --type container --format '{{.State.Pid}}' -- "$id" 2>&1)
    rc=$?
    v=$(lastline "$out")
    if [ $rc -eq 0 ] && numeric_pid "$v"; then
        if [ "$v" -gt 0 ]; then
            pid=$v
            method=docker
            return 0
        fi
        SAID_NOTRUNNING="docker: $($TMO "$DOCKER" inspect --type container --format '{{.State.Status}}' -- "$id" 2>&1 | tail -n 1)"
        return 1
    fi
    said "$out" docker
    return 1
}

by_crictl() {
    [ -n "$CRICTL" ] || { MISSING="$MISSING crictl"; return 1; }
    out=$($TMO "$CRICTL" inspect -o go-template --template '{{.info.pid}}' "$id" 2>&1)
    rc=$?
    v=$(lastline "$out")
    if [ $rc -eq 0 ] && numeric_pid "$v"; then
        if [ "$v" -gt 0 ]; then
            pid=$v
            method=crictl
            return 0
        fi
        SAID_NOTRUNNING="crictl: pid 0"
        return 1
    fi
    said "$out" crictl
    return 1
}

by_ctr() {
    [ -n "$CTR" ] || { MISSING="$MISSING ctr"; return 1; }
    out=$($TMO "$CTR" -n k8s.io task ls 2>&1)
    if [ $? -ne 0 ]; then
        said "$out" ctr
        return 1
    fi
    while read -r task tpid status rest; do
        [ "$task" = "$id" ] || continue
        if [ "$status" = RUNNING ] && numeric_pid "$tpid" && [ "$tpid" -gt 0 ]; then
            pid=$tpid
            method=ctr
            return 0
        fi
        SAID_NOTRUNNING="ctr: task $status"
        return 1
    done <<EOF
$out
EOF
    SAID_NOTFOUND="ctr: no task $id in namespace k8s.io"
    return 1
}

# The container's init: a process whose cgroup names the ID and whose parent's does not
# (the lowest such PID when several).
by_cgroup() {
    [ ${#id} -ge 12 ] || return 1
    best=
    for f in $(grep -l -F -e "$id" /proc/[0-9]*/cgroup 2>/dev/null); do
        p=${f#/proc/}
        p=${p%/cgroup}
        numeric_pid "$p" || continue
        [ "$p" = "$$" ] && continue
        pp=$(ppid_of "$p")
        if [ -n "$pp" ] && grep -q -F -e "$id" "/proc/$pp/cgroup" 2>/dev/null; then
            continue
        fi
        if [ -z "$best" ] || [ "$p" -lt "$best" ]; then
            best=$p
        fi
    done
    [ -n "$best" ] || return 1
    pid=$best
    method=cgroup
    return 0
}

locate_one() {
    spec=$1
    case "$spec" in
        *://*) ;;
        *) rec err "$spec" badspec "not RUNTIME://ID"; return ;;
    esac
    rt=${spec%%://*}
    id=${spec#*://}
    case "$rt" in
        '' | *[!0-9a-z_.-]*) rec err "$spec" badspec "runtime name has characters no runtime uses"; return ;;
    esac
    case "$id" in
        '' | -* | *[!0-9A-Za-z_.-]*) rec err "$spec" badspec "container ID has characters no runtime uses"; return ;;
    esac

    pid=
    method=
    MISSING=
    SAID_NOTRUNNING=
    SAID_NOTFOUND=
    SAID_DENIED=
    SAID_FAIL=
    case "$rt" in
        docker) by_docker ;;
        containerd) by_crictl || by_ctr ;;
        cri-o) by_crictl ;;
        *) ;; # no CLI known for this runtime: the cgroup scan alone decides
    esac
    if [ -z "$pid" ] && [ -z "$SAID_NOTRUNNING" ]; then
        by_cgroup
    fi
    if [ -z "$pid" ]; then
        if [ -n "$SAID_NOTRUNNING" ]; then
            rec err "$spec" notrunning "$SAID_NOTRUNNING"
        elif [ -n "$SAID_NOTFOUND" ]; then
            rec err "$spec" notfound "$SAID_NOTFOUND"
        elif [ -n "$SAID_DENIED" ]; then
            rec err "$spec" denied "$SAID_DENIED"
        elif [ -n "$SAID_FAIL" ]; then
            rec err "$spec" runtimefail "$SAID_FAIL"
        else
            rec err "$spec" noruntime "${MISSING# }"
        fi
        return
    fi
    rec pid "$spec" "$method" "$pid"

    if ! ns=$(ns_inode "$pid"); then
        if [ -d "/proc/$pid" ]; then
            rec err "$spec" denied "cannot read /proc/$pid/ns/net"
        else
            rec err "$spec" gone "process $pid exited"
        fi
        return
    fi
    if [ -n "$HOSTNS" ] && [ "$ns" = "$HOSTNS" ]; then
        rec netns "$spec" "$ns" host
        [ -n "$IP" ] || rec err "$spec" notools "ip"
        return
    fi
    rec netns "$spec" "$ns" own
    miss=
    [ -n "$NSENTER" ] || miss="$miss nsenter"
    [ -n "$IP" ] || miss="$miss ip"
    if [ -n "$miss" ]; then
        rec err "$spec" notools "${miss# }"
        return
    fi
    links=$("$NSENTER" -t "$pid" -n "$IP" -o -d link show 2>&1)
    if [ $? -ne 0 ]; then
        case "$links" in
            *[Pp]ermission\ denied* | *[Nn]ot\ permitted*) rec err "$spec" denied "nsenter: $(lastline "$links")" ;;
            *'No such'*) rec err "$spec" gone "nsenter: $(lastline "$links")" ;;
            *) rec err "$spec" nsenter "$(lastline "$links")" ;;
        esac
        return
    fi
    printf '%s\n' "$links" | emit link "$spec"
    "$NSENTER" -t "$pid" -n "$IP" -o addr show 2>/dev/null | emit addr "$spec"
}

for spec in "$@"; do
    locate_one "$spec"
done
rec done - "$#"
exit 0
