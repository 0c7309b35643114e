#!/bin/sh
# k8scap lab: OpenSSH sshd on loopback for the SSH node-access tests.
#
#   sudo scripts/lab/sshd.sh up     # idempotent: keys, users, two sshds, ssh.properties
#   sudo scripts/lab/sshd.sh down   # stops both sshds, removes the lab users and sudoers file
#
# Everything lives under $K8SCAP_LAB_DIR/ssh (default /var/lib/k8scap-lab/ssh). The machine's own
# /etc/ssh/sshd_config, host keys and port 22 are never touched: each sshd runs with `-f` on a
# config of its own, listening on 127.0.0.1 only.
#   node sshd:  127.0.0.1:$K8SCAP_SSH_PORT      (default 2222)
#   jump sshd:  127.0.0.1:$K8SCAP_SSH_JUMP_PORT (default 2223), a --jump bastion
# Users: root (by key), k8scap-sudo (sudo NOPASSWD), k8scap-nosudo (sudo wants a password it
# does not have), k8scap-plain (uid 0 like root, but its shell is /bin/sh and its home has no rc
# files: a node login whose shell does nothing, as on a real node, for the benchmarks; this
# machine's root .bashrc runs pyenv, ≈ 0.3 s per SSH command). All are authorized with the one lab
# user key, $DIR/id_ed25519.
set -eu

LAB_DIR=${K8SCAP_LAB_DIR:-/var/lib/k8scap-lab}
DIR=$LAB_DIR/ssh
PORT=${K8SCAP_SSH_PORT:-2222}
JUMP_PORT=${K8SCAP_SSH_JUMP_PORT:-2223}
ADDR=127.0.0.1
SUDO_USER_NAME=k8scap-sudo
NOSUDO_USER_NAME=k8scap-nosudo
PLAIN_USER_NAME=k8scap-plain
SUDOERS=/etc/sudoers.d/k8scap-lab
SSHD=/usr/sbin/sshd

log() { echo "sshd.sh: $*" >&2; }
die() { log "$*"; exit 1; }

need_root() {
    [ "$(id -u)" = 0 ] || die "must run as root (it creates users, a sudoers file and runs sshd)"
}

ensure_packages() {
    missing=
    [ -x "$SSHD" ] || missing="$missing openssh-server"
    command -v sudo >/dev/null 2>&1 || missing="$missing sudo"
    command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
    [ -z "$missing" ] && return 0
    log "installing$missing"
    # Keep the package's own sshd (port 22) from being started by the postinst.
    policy_made=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_made=1
    fi
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 || {
        apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
    } || rc=$?
    [ -n "$policy_made" ] && rm -f /usr/sbin/policy-rc.d
    [ "$rc" = 0 ] || die "apt-get install$missing failed"
}

# sshd's StrictModes wants every directory above the authorized keys file owned by root (or the
# user) and not group/world writable.
check_dir_modes() {
    d=$DIR
    while [ "$d" != / ] && [ -n "$d" ]; do
        mode=$(stat -c %a "$d")
        owner=$(stat -c %u "$d")
        if [ "$owner" != 0 ]; then die "$d is not owned by root: sshd (StrictModes) would refuse the lab keys"; fi
        case $mode in
            *[2367]? | *[2367]) die "$d is group/world writable (mode $mode): sshd (StrictModes) would refuse the lab keys; use another K8SCAP_LAB_DIR" ;;
        esac
        d=$(dirname "$d")
    done
}

make_keys() {
    mkdir -p "$DIR"
    chmod 755 "$LAB_DIR" "$DIR"
    check_dir_modes
    [ -f "$DIR/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C k8scap-lab-host -f "$DIR/ssh_host_ed25519_key"
    [ -f "$DIR/wrong_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C k8scap-lab-wrong-host -f "$DIR/wrong_host_ed25519_key"
    [ -f "$DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C k8scap-lab-user -f "$DIR/id_ed25519"
    chmod 600 "$DIR/ssh_host_ed25519_key" "$DIR/wrong_host_ed25519_key" "$DIR/id_ed25519"
    chmod 644 "$DIR"/*.pub

    host_pub=$(cut -d' ' -f1,2 "$DIR/ssh_host_ed25519_key.pub")
    wrong_pub=$(cut -d' ' -f1,2 "$DIR/wrong_host_ed25519_key.pub")
    printf '[%s]:%s %s\n[%s]:%s %s\n' "$ADDR" "$PORT" "$host_pub" "$ADDR" "$JUMP_PORT" "$host_pub" >"$DIR/known_hosts.tmp"
    mv "$DIR/known_hosts.tmp" "$DIR/known_hosts"
    printf '[%s]:%s %s\n[%s]:%s %s\n' "$ADDR" "$PORT" "$wrong_pub" "$ADDR" "$JUMP_PORT" "$wrong_pub" >"$DIR/wrong_known_hosts.tmp"
    mv "$DIR/wrong_known_hosts.tmp" "$DIR/wrong_known_hosts"
    chmod 644 "$DIR/known_hosts" "$DIR/wrong_known_hosts"

    cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys.tmp"
    chmod 644 "$DIR/authorized_keys.tmp"
    mv "$DIR/authorized_keys.tmp" "$DIR/authorized_keys"
}

make_user() {
    u=$1
    if ! getent passwd "$u" >/dev/null; then
        useradd --create-home --shell /bin/sh --comment "k8scap lab" "$u"
    fi
    # "*": no password can ever match, but the account is not "locked" ("!"), which sshd would
    # refuse even for key logins when it runs without PAM.
    usermod -p '*' "$u"
}

make_users() {
    make_user "$SUDO_USER_NAME"
    make_user "$NOSUDO_USER_NAME"
    # root under another name (uid 0, a second passwd line): the node tools need root
    if ! getent passwd "$PLAIN_USER_NAME" >/dev/null; then
        useradd --non-unique --uid 0 --gid 0 --no-create-home --home-dir "$DIR/plain-home" --shell /bin/sh \
            --comment "k8scap lab, root whose shell does nothing" "$PLAIN_USER_NAME"
    fi
    mkdir -p "$DIR/plain-home"
    chmod 700 "$DIR/plain-home"
    usermod -p '*' "$PLAIN_USER_NAME"
    tmp=$(mktemp)
    cat >"$tmp" <<SUDOERS_EOF
# k8scap lab (scripts/lab/sshd.sh); removed by \`sshd.sh down\`
$SUDO_USER_NAME ALL=(ALL:ALL) NOPASSWD: ALL
$NOSUDO_USER_NAME ALL=(ALL:ALL) ALL
SUDOERS_EOF
    visudo -cqf "$tmp" || { rm -f "$tmp"; die "generated sudoers file does not validate"; }
    chmod 440 "$tmp"
    mv "$tmp" "$SUDOERS"
}

write_config() {
    name=$1 port=$2
    cat >"$DIR/$name.tmp" <<CONF_EOF
# k8scap lab sshd ($name), generated by scripts/lab/sshd.sh; not the machine's sshd.
ListenAddress $ADDR
Port $port
HostKey $DIR/ssh_host_ed25519_key
PidFile $DIR/$name.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes yes
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups 50:30:100
MaxSessions 50
LogLevel VERBOSE
Subsystem sftp internal-sftp
CONF_EOF
    mv "$DIR/$name.tmp" "$DIR/$name"
    mkdir -p /run/sshd   # sshd's privilege separation directory
    chmod 755 /run/sshd
    "$SSHD" -t -f "$DIR/$name" || die "sshd rejects $DIR/$name"
}

# pid of the running lab sshd for a config, or nothing
running_pid() {
    name=$1
    [ -f "$DIR/$name.pid" ] || return 0
    pid=$(cat "$DIR/$name.pid" 2>/dev/null || true)
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
    if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-f $DIR/$name"; then
        echo "$pid"
    fi
}

port_listening() {
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q "$ADDR:$1"
}

start_sshd() {
    name=$1 port=$2
    pid=$(running_pid "$name")
    if [ -n "$pid" ]; then
        kill -HUP "$pid"   # re-reads the config; open sessions stay
    else
        if port_listening "$port"; then
            die "$ADDR:$port is already taken by another process; set K8SCAP_SSH_PORT/K8SCAP_SSH_JUMP_PORT"
        fi
        "$SSHD" -f "$DIR/$name" -E "$DIR/$name.log"
    fi
    i=0
    while ! port_listening "$port"; do
        i=$((i + 1))
        [ $i -lt 50 ] || die "sshd ($name) is not listening on $ADDR:$port; see $DIR/$name.log"
        sleep 0.1
    done
}

stop_sshd() {
    name=$1
    pid=$(running_pid "$name")
    if [ -n "$pid" ]; then
        # the per-connection sshd processes first, then the listener
        children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
        kill $children "$pid" 2>/dev/null || true
        i=0
        while [ -d "/proc/$pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/$name.pid"
}

write_properties() {
    fp=$(ssh-keygen -lf "$DIR/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
    cat >"$LAB_DIR/ssh.properties.tmp" <<PROPS_EOF
# written by scripts/lab/sshd.sh up
ssh.address=$ADDR
ssh.port=$PORT
ssh.jumpPort=$JUMP_PORT
ssh.user=root
ssh.identity=$DIR/id_ed25519
ssh.knownHosts=$DIR/known_hosts
ssh.wrongKnownHosts=$DIR/wrong_known_hosts
ssh.hostKeyFingerprint=$fp
ssh.sudoUser=$SUDO_USER_NAME
ssh.noSudoUser=$NOSUDO_USER_NAME
ssh.plainUser=$PLAIN_USER_NAME
PROPS_EOF
    mv "$LAB_DIR/ssh.properties.tmp" "$LAB_DIR/ssh.properties"
}

up() {
    need_root
    ensure_packages
    make_keys
    make_users
    write_config sshd_config "$PORT"
    write_config sshd_config_jump "$JUMP_PORT"
    start_sshd sshd_config "$PORT"
    start_sshd sshd_config_jump "$JUMP_PORT"
    write_properties
    log "up: sshd on $ADDR:$PORT and $ADDR:$JUMP_PORT (state in $LAB_DIR/ssh.properties)"
}

down() {
    need_root
    stop_sshd sshd_config
    stop_sshd sshd_config_jump
    for u in "$SUDO_USER_NAME" "$NOSUDO_USER_NAME"; do
        if getent passwd "$u" >/dev/null; then
            # their processes (lab sessions) would keep userdel from working
            pids=$(ps -o pid= -u "$u" 2>/dev/null || true)
            [ -z "$pids" ] || kill $pids 2>/dev/null || true
            userdel --remove "$u" 2>/dev/null || userdel "$u"
        fi
    done
    # uid 0: never look for "its" processes (they are all of root's); -f: userdel refuses a uid in use
    if getent passwd "$PLAIN_USER_NAME" >/dev/null; then
        userdel -f "$PLAIN_USER_NAME"
    fi
    rm -f "$SUDOERS" "$LAB_DIR/ssh.properties"
    log "down: lab sshds stopped, lab users removed (keys kept in $DIR)"
}

case ${1:-} in
    up) up ;;
    down) down ;;
    *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
