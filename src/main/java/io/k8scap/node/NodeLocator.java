package io.k8scap.node;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Node-side resolution of {@code k8scap locate}: container → PID → netns → pod interface → host
 * peer, for every container asked on one node, in ONE run of the {@code locate.sh} node script.
 *
 * <h2>Line protocol</h2>
 * The script takes one {@code RUNTIME://ID} ({@link ContainerRef#spec()}) per container as quoted
 * positional parameters and prints one record per line, fields separated by a TAB: the record type,
 * then the container spec ({@code -} for node-wide records), then the values. {@code RAW} is a line
 * exactly as {@code ip -o} printed it (always the last field; it may contain tabs).
 * <pre>
 * k8scap-locate  -     1                 protocol version, first line
 * tool           -     NAME  PATH        a tool found: tcpdump nsenter ip crictl docker ctr
 * hostns         -     INODE             the node's netns inode (the shell's /proc/self/ns/net)
 * hostlink       -     RAW               ip -o -d link show, node netns
 * hostaddr       -     RAW               ip -o addr show, node netns
 * pid            SPEC  METHOD  PID       METHOD: docker | crictl | ctr | cgroup
 * netns          SPEC  INODE  host|own   host: shares the node's netns (host* records apply)
 * link           SPEC  RAW               nsenter -t PID -n ip -o -d link show
 * addr           SPEC  RAW               nsenter -t PID -n ip -o addr show
 * err            SPEC  CODE  DETAIL      see below
 * done           -     N                 last line: N containers handled
 * </pre>
 * Error codes and how they map to exit codes ({@link #errorFor}):
 * {@code notfound} (runtime has no such container, no cgroup names it), {@code notrunning},
 * {@code gone} (exited while being looked at) and {@code badspec} → NOT_FOUND;
 * {@code noruntime} (no CLI for the runtime on the node and no cgroup names the ID — e.g.
 * {@code cri-o://…} on a node without crictl), {@code runtimefail}, {@code notools}
 * (nsenter/ip missing) and {@code nsenter} → UNAVAILABLE; {@code denied} → DENIED.
 *
 * <h2>Interpretation</h2>
 * The primary interface is {@code eth0}, else the first non-loopback link that is not a fallback
 * tunnel ({@code tunl0@NONE}) preferring one with an address. The host peer is the node's link whose
 * ifindex is the primary's {@code @ifN} AND which is a veth whose own {@code @ifM} is the primary's
 * ifindex; anything else (ipvlan/macvlan, whose {@code @ifN} names the parent; hostNetwork) has no peer.
 */
public final class NodeLocator {
    public static final String SCRIPT = "locate";
    static final String PROTOCOL_VERSION = "1";

    private final NodeScript script;

    public NodeLocator() {
        this(NodeScript.load(SCRIPT));
    }

    NodeLocator(NodeScript script) {
        this.script = script;
    }

    /**
     * Locates {@code containers} on the session's node with one run of the locate script.
     *
     * @return one {@link ContainerLocation} per container, in the order asked (failed ones carry
     *         their exit code and a one-line message)
     * @throws K8sCapException UNAVAILABLE when the script cannot run or answers garbage, DENIED when
     *         {@code sudo -n} refuses
     */
    public NodeFacts locate(NodeSession session, List<ContainerRef> containers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = session.run(script, specs(containers), null, out, err);
        return interpret(session, containers, status, out.toString(StandardCharsets.UTF_8), lastLine(err.toString(StandardCharsets.UTF_8)));
    }

    /** The locate script's arguments for {@code containers}: each spec once, unsendable ones left out. */
    public static List<String> specs(List<ContainerRef> containers) {
        LinkedHashSet<String> specs = new LinkedHashSet<>();
        for (ContainerRef c : containers) {
            if (sendable(c)) {
                specs.add(c.spec());
            }
        }
        return List.copyOf(specs);
    }

    /**
     * The facts from one run of the locate script: its exit status, its stdout, and the last line of
     * its stderr (for the failure message).
     */
    public static NodeFacts interpret(NodeSession session, List<ContainerRef> containers, int status, String stdout, String lastErrLine) {
        NodeTarget node = session.target();
        if (status != 0) {
            String last = lastErrLine == null ? "" : abbreviate(lastErrLine);
            if (session.sudo() && last.startsWith("sudo:")) {
                throw K8sCapException.denied("sudo -n refused to run the locate script on node " + node.name()
                        + ": " + last + "; allow passwordless sudo for this user or connect as root");
            }
            throw K8sCapException.unavailable("locate script failed on node " + node.name() + " (exit " + status + ")"
                    + (last.isEmpty() ? "" : ": " + last) + "; check that the node has a POSIX sh and retry with -v");
        }
        return parse(node, containers, stdout);
    }

    /** A spec with a tab, newline or other control character would break the line protocol. */
    private static boolean sendable(ContainerRef c) {
        return c.spec().chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f);
    }

    /**
     * Pure interpretation of the script's stdout (see the class javadoc for the protocol).
     *
     * @throws K8sCapException UNAVAILABLE when the output is not a complete locate answer
     */
    public static NodeFacts parse(NodeTarget node, List<ContainerRef> asked, String stdout) {
        List<String> lines = stdout.lines().filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty() || !lines.get(0).equals("k8scap-locate\t-\t" + PROTOCOL_VERSION)) {
            String first = lines.isEmpty() ? "nothing" : "\"" + abbreviate(lines.get(0)) + "\"";
            throw K8sCapException.unavailable("node " + node.name() + " answered " + first
                    + " instead of k8scap-locate v" + PROTOCOL_VERSION + " output; is its login shell printing a banner? retry with -v");
        }
        if (!lines.get(lines.size() - 1).startsWith("done\t-\t")) {
            throw K8sCapException.unavailable("the locate output from node " + node.name()
                    + " ends early (last line \"" + abbreviate(lines.get(lines.size() - 1)) + "\"); the connection or the script was cut, retry");
        }

        Map<String, String> tools = new LinkedHashMap<>();
        String hostNs = "";
        List<String> hostLinkLines = new ArrayList<>();
        List<String> hostAddrLines = new ArrayList<>();
        Map<String, Raw> bySpec = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split("\t", 3);
            if (f.length < 3) {
                continue;
            }
            String type = f[0];
            String spec = f[1];
            String rest = f[2];
            if (spec.equals("-")) {
                switch (type) {
                    case "tool" -> {
                        String[] t = rest.split("\t", 2);
                        if (t.length == 2 && !t[1].isEmpty()) {
                            tools.put(t[0], t[1]);
                        }
                    }
                    case "hostns" -> hostNs = rest.strip();
                    case "hostlink" -> hostLinkLines.add(rest);
                    case "hostaddr" -> hostAddrLines.add(rest);
                    default -> { /* k8scap-locate, done, or a record from a newer script */ }
                }
                continue;
            }
            Raw r = bySpec.computeIfAbsent(spec, s -> new Raw());
            String[] v = rest.split("\t", 2);
            switch (type) {
                case "pid" -> {
                    r.method = v[0];
                    r.pid = v.length > 1 ? parseLong(v[1]) : 0;
                }
                case "netns" -> {
                    r.netns = parseLong(v[0]);
                    r.host = v.length > 1 && v[1].equals("host");
                }
                case "link" -> r.links.add(rest);
                case "addr" -> r.addrs.add(rest);
                case "err" -> {
                    if (r.errCode == null) {
                        r.errCode = v[0];
                        r.errDetail = v.length > 1 ? v[1] : "";
                    }
                }
                default -> { /* unknown record: ignore */ }
            }
        }

        List<IpLinkParser.Link> hostLinks = IpLinkParser.links(hostLinkLines);
        List<NetInterface> hostIfs = IpLinkParser.interfaces(hostLinks, hostAddrLines);
        long hostNsInode = parseLong(hostNs);

        List<ContainerLocation> out = new ArrayList<>(asked.size());
        for (ContainerRef ref : asked) {
            if (!sendable(ref)) {
                out.add(ContainerLocation.failed(ref, ExitCode.NOT_FOUND, "container ID " + ShellQuote.quote(ref.spec())
                        .replaceAll("\\p{Cntrl}", "?") + " has control characters no runtime uses; check the pod status"));
                continue;
            }
            Raw r = bySpec.get(ref.spec());
            out.add(location(node, ref, r, hostNsInode, hostLinks, hostIfs));
        }
        return new NodeFacts(node, tools, out);
    }

    private static ContainerLocation location(NodeTarget node, ContainerRef ref, Raw r, long hostNsInode,
                                              List<IpLinkParser.Link> hostLinks, List<NetInterface> hostIfs) {
        if (r == null || (r.pid == 0 && r.errCode == null)) {
            return ContainerLocation.failed(ref, ExitCode.FAILURE, "node " + node.name() + " said nothing about container "
                    + ref.shortId() + " (" + ref.runtime() + "); retry with -v and report a bug");
        }
        if (r.errCode != null) {
            ExitCode code = errorFor(r.errCode);
            String msg = message(node, ref, r.errCode, r.errDetail);
            return new ContainerLocation(ref, r.method, r.pid, r.netns, r.host, List.of(), null, null, code, msg);
        }
        boolean hostNetns = r.host || (r.netns != 0 && r.netns == hostNsInode);
        if (hostNetns) {
            NetInterface primary = primary(hostLinks, hostIfs);
            return new ContainerLocation(ref, r.method, r.pid, r.netns, true, hostIfs, primary, null, null, null);
        }
        List<IpLinkParser.Link> links = IpLinkParser.links(r.links);
        List<NetInterface> ifs = IpLinkParser.interfaces(links, r.addrs);
        NetInterface primary = primary(links, ifs);
        NetInterface peer = hostPeer(primary, links, hostLinks, hostIfs);
        return new ContainerLocation(ref, r.method, r.pid, r.netns, false, ifs, primary, peer, null, null);
    }

    /** eth0; else the first non-loopback, non-fallback-tunnel link with an address; else the first such link; else null. */
    static NetInterface primary(List<IpLinkParser.Link> links, List<NetInterface> ifs) {
        for (NetInterface i : ifs) {
            if (i.name().equals("eth0")) {
                return i;
            }
        }
        NetInterface firstCandidate = null;
        for (int k = 0; k < links.size(); k++) {
            IpLinkParser.Link l = links.get(k);
            if (l.loopback() || l.fallbackTunnel()) {
                continue;
            }
            NetInterface i = ifs.get(k);
            if (!i.addresses().isEmpty()) {
                return i;
            }
            if (firstCandidate == null) {
                firstCandidate = i;
            }
        }
        return firstCandidate;
    }

    /**
     * The node's end of the primary's veth: the host link with ifindex = primary's {@code @ifN},
     * which is a veth and whose own {@code @ifM} is the primary's ifindex. Null otherwise.
     */
    static NetInterface hostPeer(NetInterface primary, List<IpLinkParser.Link> podLinks,
                                 List<IpLinkParser.Link> hostLinks, List<NetInterface> hostIfs) {
        if (primary == null || primary.peerIndex() < 0) {
            return null;
        }
        if (!primary.kind().isEmpty() && !primary.kind().equals("veth")) {
            return null;
        }
        for (int k = 0; k < hostLinks.size(); k++) {
            IpLinkParser.Link h = hostLinks.get(k);
            if (h.index() == primary.peerIndex() && h.kind().equals("veth") && h.peerIndex() == primary.index()) {
                return hostIfs.get(k);
            }
        }
        return null;
    }

    /** The exit code for a script error code. */
    public static ExitCode errorFor(String code) {
        return switch (code) {
            case "notfound", "notrunning", "gone", "badspec" -> ExitCode.NOT_FOUND;
            case "noruntime", "runtimefail", "notools", "nsenter" -> ExitCode.UNAVAILABLE;
            case "denied" -> ExitCode.DENIED;
            default -> ExitCode.FAILURE;
        };
    }

    static String message(NodeTarget node, ContainerRef ref, String code, String detail) {
        String c = "container " + ref.shortId() + " (" + ref.runtime() + ")";
        String on = " on node " + node.name();
        // runtimes echo the full 64-hex ID: the short one is enough in a one-line message
        String shortDetail = detail == null ? "" : detail.replace(ref.id(), ref.shortId());
        String d = shortDetail.isBlank() ? "" : " (" + abbreviate(shortDetail) + ")";
        return switch (code) {
            case "notfound" -> c + " not found" + on + d
                    + "; the pod status may be stale or the pod restarted: re-read the pod and retry";
            case "notrunning" -> c + " is not running" + on + d + "; check the pod's status and restarts, then retry";
            case "gone" -> c + " exited" + on + " while being located" + d + "; the pod may be restarting, retry";
            case "badspec" -> "container ID " + ref.spec() + " is not one any runtime uses" + d + "; check the pod status";
            case "noruntime" -> detail == null || detail.isBlank()
                    ? "cannot find " + c + on + ": k8scap knows no CLI for runtime " + ref.runtime()
                            + " and no process's cgroup names the container; check the container ID"
                    : "cannot find " + c + on + ": " + detail + " missing there and no process's cgroup names the"
                            + " container; install " + detail + " on the node, or check the container ID";
            case "runtimefail" -> "cannot ask the runtime about " + c + on + d
                    + "; check that the container runtime is running there";
            case "notools" -> "cannot look inside the network namespace of " + c + on + ": "
                    + (detail == null || detail.isBlank() ? "tools" : detail)
                    + " missing there; install util-linux (nsenter) and iproute2 (ip) on the node";
            case "nsenter" -> "cannot enter the network namespace of " + c + on + d + "; retry with -v";
            case "denied" -> "not allowed to inspect " + c + on + d + "; connect as root or use --sudo";
            default -> c + on + ": " + code + d;
        };
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String lastLine(String s) {
        List<String> l = s.lines().map(String::strip).filter(x -> !x.isEmpty()).toList();
        return l.isEmpty() ? "" : abbreviate(l.get(l.size() - 1));
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\p{Cntrl}", " ").strip();
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }

    private static final class Raw {
        String method;
        long pid;
        long netns;
        boolean host;
        final List<String> links = new ArrayList<>();
        final List<String> addrs = new ArrayList<>();
        String errCode;
        String errDetail;
    }
}
