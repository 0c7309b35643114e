package io.k8scap.debug;

/**
 * Capability profiles of the ephemeral debug container, as kubectl debug's profiles of the same
 * names set them for an ephemeral container.
 */
public enum Profile {
    /** SYS_PTRACE, so that strace/gdb work against the target's processes. */
    general,
    /** NET_ADMIN and NET_RAW: tcpdump, ip, iptables, ss -K. */
    netadmin,
    /** privileged: everything (the namespace's PodSecurity level must be privileged). */
    sysadmin
}
