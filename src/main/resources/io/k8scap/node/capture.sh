# k8scap-capture: run ONE tcpdump for one pod on this node, its life tied to this SSH channel.
# POSIX sh (dash, busybox ash); no bash-isms; nothing written to disk.
#
# stdin, first: the parameters, one per line (data, never evaluated; no argument on the command
# line, so that the first pod of a node, whose parameters follow its locate answer on the same
# channel, and every other pod get them the one same way):
#   capture       the word itself; anything else, EOF, or 30 s without all the parameters (a
#                 connection cut while k8scap decides) ends the script before tcpdump, status 0
#   IFACE         interface to capture on
#   NETNS_PID     0 = this node's netns; else the PID whose netns tcpdump enters (nsenter -t PID -n)
#   SNAPLEN       tcpdump -s
#   DEADLINE      seconds; hard backstop: `timeout` SIGINTs tcpdump then, SIGKILLs 5 s later
#   HEARTBEAT     seconds without a line on stdin after which tcpdump is killed
#   IMMEDIATE     1 = --immediate-mode (each packet leaves the kernel at once, one 64 KiB ring slot
#                 per packet on a veth: bursts are lost), 0 = not: libpcap's buffered ring, -B 8192
#   N             how many lines the BPF filter has; 0 = no filter
#   N lines       the filter, its line ends being its own newlines: it reaches tcpdump exactly, as
#                 ONE argument after `--`, whatever it holds (quotes, $, newlines)
#
# stdin, then: lines from k8scap. "stop" = clean stop (SIGINT: tcpdump flushes and prints its
#         counters); any other line is a heartbeat. EOF (k8scap died, connection closed) or no
#         line for HEARTBEAT seconds (connection silently cut) = tcpdump is killed.
# stdout: the pcap stream, byte for byte as tcpdump writes it (-U -w -); nothing else ever.
# stderr: tcpdump's own lines, and this script's lines, which all start with "k8scap-capture: ":
#   k8scap-capture: missing TOOL...      a tool is not installed (exit 127)
#   k8scap-capture: started              tcpdump was started
#   k8scap-capture: stop                 "stop" received, SIGINT sent
#   k8scap-capture: stop waiting …       "stop" received while the interface had traffic in the last
#                                        2 s: SIGINT 1.1 s later, once the kernel's ring has handed
#                                        tcpdump the block it still held (else lost, as by plain tcpdump)
#   k8scap-capture: killed heartbeat|eof|signal|stop   tcpdump was killed (TERM, then KILL after 3 s);
#                                        stop: it was still running 5 s after "stop" (SIGINT each second)
#   k8scap-capture: end STATUS           tcpdump ended; STATUS is also the exit status
#                                        (124: the deadline stopped it)
#
# Processes: sh (this) ─┬─ timeout ── tcpdump   (own process group, from timeout)
#                       ├─ watchdog subshell    (kills tcpdump when heartbeats stop)
#                       └─ reader subshell      (reads stdin; EOF kills tcpdump)
# Each of timeout (deadline), watchdog (heartbeat) and reader (EOF) ends tcpdump on its own, so
# killing any one of them, or this shell, still leaves nothing running for long.

say() {
    printf 'k8scap-capture: %s\n' "$*" >&2
}

isnum() {
    case $1 in
        '' | *[!0-9]*) return 1 ;;
    esac
    return 0
}

# param: the next parameter line into $p; EOF ends the script (nothing started yet).
( trap 'kill $! 2>/dev/null; exit 0' TERM; sleep 30 & wait $!; kill -TERM $$ 2>/dev/null ) </dev/null >/dev/null 2>&1 &
pw=$!
param() {
    IFS= read -r p || { kill "$pw" 2>/dev/null; exit 0; }
}
param
# locate-capture.sh includes context.sh: "context" first asks for the pods' network context
while [ "$p" = context ] && command -v k8scap_context >/dev/null 2>&1; do
    k8scap_context
    param
done
[ "$p" = capture ] || { kill "$pw" 2>/dev/null; exit 0; }
param; iface=$p
param; nspid=$p
param; snaplen=$p
param; deadline=$p
param; hb=$p
param; immediate=$p
param; lines=$p
if [ -z "$iface" ] || ! isnum "$nspid" || ! isnum "$snaplen" || ! isnum "$deadline" || ! isnum "$hb" || ! isnum "$lines" \
    || [ "$deadline" -lt 1 ] || [ "$hb" -lt 1 ]; then
    kill "$pw" 2>/dev/null
    say "usage: capture.sh reads on stdin: capture IFACE NETNS_PID SNAPLEN DEADLINE HEARTBEAT IMMEDIATE N, then N filter lines"
    exit 2
fi
filter=
i=0
while [ "$i" -lt "$lines" ]; do
    param
    if [ "$i" = 0 ]; then
        filter=$p
    else
        filter="$filter
$p"
    fi
    i=$((i + 1))
done
kill "$pw" 2>/dev/null

missing=
for tool in tcpdump timeout; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ "$nspid" != 0 ]; then
    command -v nsenter >/dev/null 2>&1 || missing="$missing nsenter"
fi
if [ -n "$missing" ]; then
    say "missing$missing"
    exit 127
fi

# tcpdump's argv, built as positional parameters so that nothing is ever re-split or evaluated.
if [ "$nspid" = 0 ]; then
    set -- tcpdump
else
    set -- nsenter -t "$nspid" -n tcpdump
fi
set -- "$@" -U -w - -s "$snaplen" -i "$iface"
if [ "$immediate" = 1 ]; then
    set -- "$@" --immediate-mode
else
    # libpcap's buffered ring (TPACKET_V3: blocks packed with packets, handed over when full or 1 s
    # after their first packet), 4x its default size: it keeps every burst plain tcpdump keeps, where
    # --immediate-mode's one 64 KiB slot per packet lost most of them (bench/capture-burst.sh)
    set -- "$@" -B 8192
fi
if [ "$lines" -gt 0 ]; then
    set -- "$@" -- "$filter"
fi

# The reader needs the channel's stdin: an asynchronous list gets /dev/null instead.
exec 3<&0
# Ignored here so that the watchdog, which traps it, cannot die of an early heartbeat.
trap '' USR1

# coreutils timeout runs tcpdump in its own process group; SIGINT/SIGTERM sent to it are passed on.
timeout -s INT -k 5 "$deadline" "$@" </dev/null 3<&- &
t=$!
say started

# running: whether timeout or tcpdump still runs. timeout puts itself and tcpdump in a process group
# of their own (its PID): a SIGINT that reaches timeout before it is ready to pass it on ends
# timeout alone, and the group is how the orphaned tcpdump is still found.
running() {
    kill -0 "-$t" 2>/dev/null || kill -0 "$t" 2>/dev/null
}

# sigint: SIGINT to timeout and tcpdump; false when neither runs any more.
sigint() {
    kill -INT "-$t" 2>/dev/null || kill -INT "$t" 2>/dev/null
}

# kill_tcpdump REASON: say so, then TERM (tcpdump flushes and prints its counters), KILL after 3 s.
# Callers ignore SIGPIPE first: when the channel is gone, the message must not end them.
kill_tcpdump() {
    say "killed $1"
    kill -TERM "-$t" 2>/dev/null || kill -TERM "$t" 2>/dev/null
    i=0
    while running && [ "$i" -lt 15 ]; do
        sleep 0.2 </dev/null >/dev/null 2>&1 || sleep 1 </dev/null >/dev/null 2>&1
        i=$((i + 1))
    done
    if running; then
        kill -KILL "-$t" 2>/dev/null || kill -KILL "$t" 2>/dev/null
    fi
}

(
    trap '' PIPE
    n=0
    trap 'n=0' USR1
    while [ "$n" -lt "$hb" ]; do
        sleep 1 </dev/null >/dev/null 2>&1
        n=$((n + 1))
    done
    kill_tcpdump heartbeat
) </dev/null 3<&- &
w=$!

# traffic: into $pk, the bytes the capture's interface (every interface for "any") has received and
# sent so far, from /proc/PID/net/dev of tcpdump's network namespace; empty when unknown.
if [ "$nspid" = 0 ]; then netpid=$$; else netpid=$nspid; fi
traffic() {
    pk=
    [ -r "/proc/$netpid/net/dev" ] || return 0
    pk=0
    while IFS= read -r l; do
        case $l in
            *:*) ;;
            *) continue ;;
        esac
        n=${l%%:*}
        n=${n##* }
        if [ "$iface" = any ] || [ "$n" = "$iface" ]; then
            # shellcheck disable=SC2086 # the counters, split into fields on purpose
            set -- ${l#*:}
            pk=$((pk + $1 + $9))
        fi
    done <"/proc/$netpid/net/dev"
}

(
    trap '' PIPE
    # The interface's traffic at the last three heartbeats (one a second): whether anything crossed
    # it in the last 2 s when "stop" comes.
    traffic
    t1=$pk t2=$pk t3=$pk
    while IFS= read -r line; do
        case $line in
            stop)
                # tcpdump's kernel ring hands packets over in blocks, a block at the latest 1 s after
                # its first packet; SIGINT ends tcpdump at once, and a block not yet handed over would
                # be lost (plain tcpdump loses it so). Traffic in the last 2 s: wait for the ring first.
                traffic
                if [ -n "$pk" ] && [ "$pk" = "$t3" ]; then
                    say stop
                else
                    say "stop waiting 1.1 s for the kernel's last block"
                fi
                # SIGINT again each second while tcpdump runs: a "stop" that arrives as tcpdump starts
                # can be lost (timeout forwards it before tcpdump exists; tcpdump exits on one that
                # comes before it opened the interface). Still running after 5 s: killed. Steps of
                # 0.1 s: this subshell holds the channel's stderr, which must close when tcpdump ends.
                (
                    trap '' PIPE
                    if [ -z "$pk" ] || [ "$pk" != "$t3" ]; then
                        sleep 1.1 </dev/null >/dev/null 2>&1 || sleep 2 </dev/null >/dev/null 2>&1
                    fi
                    i=0
                    while running && [ "$i" -lt 50 ]; do
                        case $i in *0) sigint ;; esac
                        sleep 0.1 </dev/null >/dev/null 2>&1 || { sleep 1 </dev/null >/dev/null 2>&1; i=$((i + 9)); }
                        i=$((i + 1))
                    done
                    if running; then
                        kill_tcpdump stop
                    fi
                ) </dev/null &
                ;;
            *)
                traffic
                t3=$t2 t2=$t1 t1=$pk
                ;;
        esac
        kill -USR1 "$w" 2>/dev/null
    done
    kill_tcpdump eof
) <&3 3<&- &
r=$!
exec 3<&-

on_signal() {
    trap '' TERM HUP INT PIPE
    kill "$r" "$w" 2>/dev/null
    kill_tcpdump signal
    exit 143
}
trap on_signal TERM HUP INT

wait "$t"
status=$?
# timeout ended but its tcpdump may not have (see running): stop it cleanly, then for good.
if running; then
    sigint
    i=0
    while running && [ "$i" -lt 25 ]; do
        sleep 0.2 </dev/null >/dev/null 2>&1 || sleep 1 </dev/null >/dev/null 2>&1
        i=$((i + 1))
    done
    kill -KILL "-$t" 2>/dev/null
fi
kill "$r" "$w" 2>/dev/null
say "end $status"
exit "$status"
