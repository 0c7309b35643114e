# k8scap-proxy: gather what kube-proxy programmed on this node, for one mode or all, in one run.
# POSIX sh (dash, busybox ash); no bash-isms; nothing written to disk; nothing changed on the node.
#
# Arguments (quoted positional parameters, data only, never evaluated):
#   $1  BOUNDARY  a random token from k8scap ([A-Za-z0-9]{16,64}); it frames every section, so a
#                 command's output cannot end a section early unless it guesses the token
#   $2  MODE      auto | iptables | ipvs | nftables: which dataplane's sections to gather
#   $3  PREREQ    1 = also gather the IPVS prerequisite inputs (always done for MODE ipvs), else 0
#
# Output: a sequence of sections, nothing else on stdout:
#   BOUNDARY begin NAME\n
#   <the command's stdout, byte for byte>
#   \nBOUNDARY end NAME RC\n
# The newline before the end line is always added; the reader removes exactly that one. RC is the
# command's exit status, 127 when the command is not installed. stderr of the commands goes to this
# script's stderr. Sections (in this order; which ones appear depends on MODE/PREREQ):
#   proto                 "1" (protocol version), always first
#   uname                 uname -r
#   proxymode             GET http://127.0.0.1:10249/proxyMode (curl, else wget, else busybox wget)
#   links                 ip -o link show (cilium_host/cilium_net: Cilium; kube-dummy-if: kube-router)
#   iptables-legacy       iptables-legacy-save           (each of these only when installed)
#   iptables-nft          iptables-nft-save
#   iptables              iptables-save (only when neither of the two above is installed)
#   iptables-version      iptables-save --version ("… (nf_tables)" or "… (legacy)")
#   ip6tables-legacy, ip6tables-nft, ip6tables     the same for IPv6
#   ipvsadm               ipvsadm -S -n
#   ipset                 ipset list
#   kube-ipvs0            ip addr show dev kube-ipvs0
#   nft-ip, nft-ip6       nft --json list table ip|ip6 kube-proxy
#   modules               cat /proc/modules
#   modules-builtin       lines of /lib/modules/$(uname -r)/modules.builtin about ip_vs / nf_conntrack
#   modules-dep           lines of modules.dep whose module is ip_vs* / nf_conntrack*
#   ipset-version, ipvsadm-version    ipset --version, ipvsadm --version
#   proc-net              ls /proc/net
#   kube-proxy-version    kube-proxy --version (when the binary is on the node)
#   done                  empty, always last: its presence proves the output is complete
# The exit status is 0 whenever the script ran to the end (2 on bad arguments).


B="$1"
MODE="$2"
PREREQ="$3"
case "$B" in
    ''|*[!A-Za-z0-9]*) echo "k8scap-proxy: bad boundary" >&2; exit 2 ;;
esac
case "$MODE" in
    auto|iptables|ipvs|nftables) ;;
    *) echo "k8scap-proxy: bad mode" >&2; exit 2 ;;
esac

have() { command -v "$1" >/dev/null 2>&1; }

# sec NAME CMD ARG...: one section with the command's stdout and exit status (127: not installed).
sec() {
    name="$1"; shift
    printf '%s begin %s\n' "$B" "$name"
    if have "$1"; then
        "$@"
        rc=$?
    else
        rc=127
    fi
    printf '\n%s end %s %s\n' "$B" "$name" "$rc"
}

# proxy_mode: kube-proxy's own answer on its metrics port (loopback only, 3 s at most).
proxy_mode() {
    if have curl; then
        curl -s -f -m 3 http://127.0.0.1:10249/proxyMode
    elif have wget; then
        wget -q -T 3 -O - http://127.0.0.1:10249/proxyMode
    elif have busybox; then
        busybox wget -q -T 3 -O - http://127.0.0.1:10249/proxyMode
    else
        return 127
    fi
}

# save FAMILY: iptables-save of every backend installed (legacy and nft are separate rule sets).
save() {
    f="$1"
    found=0
    for backend in legacy nft; do
        if have "$f-$backend-save"; then
            sec "$f-$backend" "$f-$backend-save"
            found=1
        fi
    done
    if [ "$found" = 0 ]; then
        sec "$f" "$f-save"
    fi
}

modfile() {
    rel="$(uname -r)"
    [ -r "/lib/modules/$rel/$1" ] || return 1
    grep -E "$2" "/lib/modules/$rel/$1"
    return 0
}

sec proto echo 1
sec uname uname -r
sec proxymode proxy_mode
sec links ip -o link show

if [ "$MODE" = auto ] || [ "$MODE" = iptables ] || [ "$MODE" = ipvs ]; then
    save iptables
    sec iptables-version iptables-save --version
    save ip6tables
fi
if [ "$MODE" = auto ] || [ "$MODE" = ipvs ]; then
    sec ipvsadm ipvsadm -S -n
    sec ipset ipset list
    sec kube-ipvs0 ip addr show dev kube-ipvs0
fi
if [ "$MODE" = auto ] || [ "$MODE" = nftables ]; then
    sec nft-ip nft --json list table ip kube-proxy
    sec nft-ip6 nft --json list table ip6 kube-proxy
fi
if [ "$MODE" = ipvs ] || [ "$PREREQ" = 1 ]; then
    sec modules cat /proc/modules
    sec modules-builtin modfile modules.builtin '(ip_vs|nf_conntrack)'
    sec modules-dep modfile modules.dep '^[^:]*(ip_vs|nf_conntrack)'
    sec ipset-version ipset --version
    sec ipvsadm-version ipvsadm --version
    sec proc-net ls /proc/net
    sec kube-proxy-version kube-proxy --version
fi
sec done true
exit 0
