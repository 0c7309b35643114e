package io.k8scap.proxy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.ProxyApi;
import io.k8scap.node.NodeScript;
import io.k8scap.node.NodeSession;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * proxy-inspect on one node: ONE run of {@code proxy.sh} over the node's session gathers every command's output
 * for the mode (see the script's header for the sections), then the mode is decided
 * ({@link ProxyModeDetector}) and the dataplane is checked against the API ({@link ProxyInspector}) per IP family.
 */
public final class ProxyCollector {
    public static final String SCRIPT = "proxy";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /**
     * What to inspect.
     *
     * @param mode the mode to inspect, null = detect it
     * @param checkIpvs gather and judge the IPVS prerequisites (always done in IPVS mode)
     * @param serviceNamespace with {@code serviceName}: trace this Service (null: no trace)
     * @param servicePort a port name or number, null for every port
     */
    public record Request(ProxyMode mode, boolean checkIpvs, String serviceNamespace, String serviceName, String servicePort) {
    }

    private final NodeScript script;

    public ProxyCollector() {
        this.script = NodeScript.load(SCRIPT);
    }

    /**
     * Runs the script on the session's node and inspects what it printed.
     *
     * @throws K8sCapException UNAVAILABLE when the script cannot run or its output is cut; DENIED when sudo refuses
     */
    public NodeInspection inspect(NodeSession session, Request request, ProxyApi.State api) {
        String node = session.target().name();
        String boundary = boundary();
        String modeArg = request.mode() == null ? "auto" : request.mode().id();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = session.run(script, List.of(boundary, modeArg, request.checkIpvs() ? "1" : "0"), null, out, err);
        String stderr = err.toString(StandardCharsets.UTF_8);
        if (status != 0) {
            String last = lastLine(stderr);
            if (session.sudo() && last.startsWith("sudo:")) {
                throw K8sCapException.denied("sudo -n refused to run the proxy script on node " + node + ": " + last
                        + "; allow passwordless sudo for this user or connect as root");
            }
            throw K8sCapException.unavailable("proxy script failed on node " + node + " (exit " + status + ")"
                    + (last.isEmpty() ? "" : ": " + last) + "; check that the node has a POSIX sh and retry with -v");
        }
        ProxySections sections;
        try {
            sections = ProxySections.parse(out.toString(StandardCharsets.UTF_8), boundary);
        } catch (IllegalArgumentException e) {
            throw K8sCapException.unavailable("node " + node + " answered the proxy script with unexpected output (" + e.getMessage()
                    + "); is its login shell printing a banner? retry with -v");
        }
        return inspect(node, sections, request, api);
    }

    /** The pure part: decide the mode and check the sections' rules against the API. */
    public static NodeInspection inspect(String node, ProxySections s, ProxyCollector.Request request, ProxyApi.State api) {
        List<String> notes = new ArrayList<>();
        // iptables: the backend holding kube-proxy's chains; the other one's rules are invisible to it
        Backend v4 = backend(s, "iptables", notes, node);
        Backend v6 = backend(s, "ip6tables", notes, node);
        String ipvsadm = s.text("ipvsadm");
        ProxySections.Section dummySection = s.get("kube-ipvs0");
        boolean kubeIpvs0 = dummySection != null && dummySection.ok() && KubeIpvs0.parse(dummySection.text()).exists();
        int ipvsServers = -1;
        if (ipvsadm != null) {
            try {
                ipvsServers = IpvsadmParser.parse(ipvsadm).size();
            } catch (IllegalArgumentException e) {
                ipvsServers = -1;
            }
        }
        String nft4 = s.text("nft-ip");
        String nft6 = s.text("nft-ip6");
        boolean nftTable = (nft4 != null && !nft4.isBlank()) || (nft6 != null && !nft6.isBlank());
        ProxyModeDetector.Evidence evidence = new ProxyModeDetector.Evidence(serviceChains(v4.text) + serviceChains(v6.text), kubeIpvs0,
                ipvsServers, nftTable);
        ProxySections.Section pm = s.get("proxymode");
        String answered = pm != null && pm.ok() && ProxyModeDetector.parse(pm.text()) != null ? pm.text().strip() : null;
        java.util.Set<String> devices = OtherProxies.devices(s.text("links"));
        if (request.mode() == null && answered == null) {
            boolean deployed = api.configMode() != null || api.daemonSetMode() != null;
            String other = evidence.modes().isEmpty() ? OtherProxies.noKubeProxy(node, devices, api.others(), request, api.services(), deployed)
                    : !evidence.modes().contains(ProxyMode.IPTABLES) && !evidence.modes().contains(ProxyMode.NFTABLES)
                            ? OtherProxies.kubeRouter(node, devices, api.others(), kubeIpvs0) : null;
            if (other != null) {
                return NodeInspection.of(node, null, "-", null, notes, List.of(), null, List.of(),
                        new NodeInspection.Error(ExitCode.UNAVAILABLE.code(), other));
            }
            if (evidence.modes().isEmpty()) {
                notes.add(OtherProxies.rulesGone(node, request, api.services()));
            }
        }
        ProxyModeDetector.Decision decision = ProxyModeDetector.decide(request.mode(), answered, api.configMode(), api.daemonSetMode(), evidence);
        notes.addAll(decision.notes());
        String alongside = OtherProxies.ciliumAlongside(node, devices, api.others());
        if (alongside != null && !evidence.modes().isEmpty()) {
            notes.add(alongside);
        }

        PrerequisitesView prerequisites = null;
        if (request.checkIpvs() || decision.mode() == ProxyMode.IPVS) {
            String kpVersion = s.text("kube-proxy-version");
            prerequisites = IpvsPrerequisites.check(new PrerequisiteInput(s.text("uname"), s.text("modules"), s.text("modules-builtin"),
                    s.text("modules-dep"), s.text("ipset-version"), s.text("ipvsadm-version"),
                    kpVersion != null ? kpVersion.strip() : api.kubeProxyVersion(), s.text("proc-net")));
        }
        if (decision.mode() == null) {
            return NodeInspection.of(node, null, decision.source(), null, notes, List.of(), prerequisites, List.of(),
                    new NodeInspection.Error(ExitCode.UNAVAILABLE.code(), "cannot tell kube-proxy's mode on node " + node
                            + ": nothing answers 127.0.0.1:10249/proxyMode, the API has no kube-proxy mode and the node has no kube-proxy"
                            + " rules; pass --mode"));
        }
        ProxyMode mode = decision.mode();
        List<DataplaneView> views = new ArrayList<>();
        List<TraceView> traces = new ArrayList<>();
        String backend = mode == ProxyMode.NFTABLES ? null : v4.name;
        try {
            for (IpFamily family : IpFamily.values()) {
                ApiSnapshot snapshot = ApiSnapshot.of(api.services(), api.slices(), family, node);
                Inspection inspection = switch (mode) {
                    case IPTABLES -> {
                        Backend b = family == IpFamily.IPV4 ? v4 : v6;
                        if (b.text == null) {
                            if (family == IpFamily.IPV6) {
                                yield null; // no ip6tables on the node: an IPv4-only node
                            }
                            throw new Unavailable("iptables-save is not installed on node " + node + " (or failed): cannot read the iptables rules");
                        }
                        yield family == IpFamily.IPV6 && snapshot.ports().isEmpty() && serviceChains(b.text) == 0 ? null
                                : ProxyInspector.iptables(b.text, snapshot);
                    }
                    case IPVS -> {
                        if (family == IpFamily.IPV6 && snapshot.ports().isEmpty()) {
                            yield null;
                        }
                        if (ipvsadm == null) {
                            if (prerequisites != null && !prerequisites.ipvsInKernel()) {
                                throw new Unavailable(prerequisites.advice().get(0));
                            }
                            ProxySections.Section is = s.get("ipvsadm");
                            throw new Unavailable(is != null && is.missing()
                                    ? "ipvsadm is not installed on node " + node + ": install it to read the IPVS table"
                                    : "ipvsadm -Sn failed on node " + node + " (exit " + (is == null ? "?" : is.rc()) + ")");
                        }
                        Backend b = family == IpFamily.IPV4 ? v4 : v6;
                        yield ProxyInspector.ipvs(new IpvsInput(ipvsadm, s.text("ipset"),
                                dummySection == null ? null : dummySection.ok() ? dummySection.text() : "Device \"kube-ipvs0\" does not exist.",
                                b.text), snapshot);
                    }
                    case NFTABLES -> {
                        String json = family == IpFamily.IPV4 ? nft4 : nft6;
                        if (json == null || json.isBlank()) {
                            if (family == IpFamily.IPV6 && snapshot.ports().isEmpty()) {
                                yield null;
                            }
                            ProxySections.Section ns = s.get(family == IpFamily.IPV4 ? "nft-ip" : "nft-ip6");
                            if (ns != null && ns.missing()) {
                                throw new Unavailable("nft is not installed on node " + node + ": cannot read table "
                                        + (family == IpFamily.IPV4 ? "ip" : "ip6") + " kube-proxy");
                            }
                            throw new Unavailable("node " + node + " has no nft table " + (family == IpFamily.IPV4 ? "ip" : "ip6")
                                    + " kube-proxy: kube-proxy is not in nftables mode there");
                        }
                        yield ProxyInspector.nftables(json, snapshot);
                    }
                };
                if (inspection == null) {
                    continue;
                }
                views.add(inspection.view());
                if (request.serviceName() != null) {
                    traces.addAll(inspection.trace(request.serviceNamespace(), request.serviceName(), request.servicePort()));
                }
            }
        } catch (Unavailable e) {
            return NodeInspection.of(node, mode, decision.source(), backend, notes, views, prerequisites, traces,
                    new NodeInspection.Error(ExitCode.UNAVAILABLE.code(), e.getMessage()));
        } catch (IllegalArgumentException e) {
            return NodeInspection.of(node, mode, decision.source(), backend, notes, views, prerequisites, traces,
                    new NodeInspection.Error(ExitCode.FAILURE.code(), "cannot parse the " + mode.id() + " rules of node " + node + ": "
                            + e.getMessage()));
        }
        return NodeInspection.of(node, mode, decision.source(), backend, notes, views, prerequisites, traces, null);
    }

    /** Not a failure of the whole run: this node's inspection stops with UNAVAILABLE and what it knows so far. */
    private static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private record Backend(String name, String text) {
    }

    /** Picks legacy or nft: the one holding kube-proxy's chains (nft on a tie, as iptables-save's default is today). */
    static Backend backend(ProxySections s, String family, List<String> notes, String node) {
        String legacy = s.text(family + "-legacy");
        String nft = s.text(family + "-nft");
        if (legacy == null && nft == null) {
            String plain = s.text(family);
            String version = s.text("iptables-version");
            String name = plain == null ? null : version != null && version.contains("legacy") ? "legacy" : "nft";
            return new Backend(name, plain);
        }
        int l = kubeChains(legacy);
        int n = kubeChains(nft);
        if (legacy != null && (nft == null || l > n)) {
            if (n > 0) {
                notes.add(family + "-nft also holds " + n + " KUBE-* chain(s), invisible to " + family + "-legacy: leftovers of an earlier"
                        + " kube-proxy (or another tool) using the other backend");
            }
            return new Backend("legacy", legacy);
        }
        if (l > 0) {
            notes.add(family + "-legacy also holds " + l + " KUBE-* chain(s), invisible to " + family + "-nft: leftovers of an earlier"
                    + " kube-proxy (or another tool) using the other backend");
        }
        return new Backend("nft", nft);
    }

    static int kubeChains(String save) {
        return count(save, ":KUBE-");
    }

    /** KUBE-SVC/SVL/EXT/FW/XLB/SEP chain declarations: only iptables mode makes them. */
    static int serviceChains(String save) {
        if (save == null) {
            return 0;
        }
        int n = 0;
        for (String p : new String[] {":KUBE-SVC-", ":KUBE-SVL-", ":KUBE-EXT-", ":KUBE-FW-", ":KUBE-XLB-", ":KUBE-SEP-"}) {
            n += count(save, p);
        }
        return n;
    }

    private static int count(String save, String linePrefix) {
        if (save == null) {
            return 0;
        }
        int n = 0;
        if (save.startsWith(linePrefix)) {
            n++;
        }
        String needle = "\n" + linePrefix;
        for (int i = save.indexOf(needle); i >= 0; i = save.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static String boundary() {
        StringBuilder b = new StringBuilder("K8SCAP");
        for (int i = 0; i < 32; i++) {
            b.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
        }
        return b.toString();
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
}
