package io.k8scap.capture;

import java.time.Duration;

/**
 * Where and how one tcpdump runs on a node: on a host interface (the pod's veth peer, or the node's
 * own for hostNetwork pods) with {@code netnsPid == 0}, or inside the pod's network namespace
 * ({@code nsenter -t PID -n}) on {@code eth0}, {@code lo} or {@code any}.
 *
 * @param iface            interface name as the node (or the netns) knows it
 * @param netnsPid         0 = the node's netns; else a PID whose netns tcpdump enters
 * @param snaplen          tcpdump {@code -s}; 0 = tcpdump's default (262144)
 * @param filter           BPF expression, handed to tcpdump as ONE argument; null = none
 * @param hardDeadline     tcpdump is stopped (SIGINT, counters printed) after this long whatever
 *                         else happens; whole seconds, rounded up, at least 1 s
 * @param heartbeatTimeout the node kills tcpdump when k8scap's heartbeat (sent every
 *                         min(1 s, timeout/3)) has been silent this long; at least 1 s
 * @param immediateMode    tcpdump {@code --immediate-mode}: every packet leaves the kernel at
 *                         once instead of in blocks of up to 1 s (lower latency, a bit more CPU)
 */
public record TcpdumpSpec(String iface, long netnsPid, int snaplen, BpfFilter filter,
                          Duration hardDeadline, Duration heartbeatTimeout, boolean immediateMode) {

    public TcpdumpSpec {
        if (iface == null || iface.isBlank() || iface.length() > 64 || iface.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("bad interface name for tcpdump: " + iface);
        }
        if (netnsPid < 0) {
            throw new IllegalArgumentException("netnsPid must be 0 (the node's netns) or a PID: " + netnsPid);
        }
        if (snaplen < 0 || snaplen > 262144) {
            throw new IllegalArgumentException("snaplen must be 0..262144: " + snaplen);
        }
        if (hardDeadline == null || hardDeadline.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("hardDeadline must be at least 1 s: " + hardDeadline);
        }
        if (heartbeatTimeout == null || heartbeatTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("heartbeatTimeout must be at least 1 s: " + heartbeatTimeout);
        }
    }

    /** With {@code --immediate-mode} on. */
    public TcpdumpSpec(String iface, long netnsPid, int snaplen, BpfFilter filter, Duration hardDeadline, Duration heartbeatTimeout) {
        this(iface, netnsPid, snaplen, filter, hardDeadline, heartbeatTimeout, true);
    }

    /** Whether tcpdump runs inside another process's netns (nsenter). */
    public boolean insideNetns() {
        return netnsPid > 0;
    }

    static long wholeSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    /** Where, for messages: {@code eth0 in the netns of PID 123} or {@code vethabc}. */
    String where() {
        return insideNetns() ? iface + " in the netns of PID " + netnsPid : iface;
    }
}
