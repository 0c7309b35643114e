package io.k8scap.cli;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.KubeConnection;
import io.k8scap.cluster.ProxyApi;
import io.k8scap.node.NodeFanOut;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.NodeTargets;
import io.k8scap.node.NodeAccess;
import io.k8scap.proxy.BackendView;
import io.k8scap.proxy.DataplaneView;
import io.k8scap.proxy.Finding;
import io.k8scap.proxy.FrontendView;
import io.k8scap.proxy.ModuleCheck;
import io.k8scap.proxy.NodeInspection;
import io.k8scap.proxy.OtherProxies;
import io.k8scap.proxy.PrerequisitesView;
import io.k8scap.proxy.ProxyCollector;
import io.k8scap.proxy.ProxyMode;
import io.k8scap.proxy.ServiceView;
import io.k8scap.proxy.ToolCheck;
import io.k8scap.proxy.TraceStep;
import io.k8scap.proxy.TraceView;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code k8scap proxy-inspect}: what kube-proxy programmed on each node (iptables, IPVS or nftables), checked
 * against the API's Services and EndpointSlices, with one SSH session and one node script run per node.
 */
@Command(name = "proxy-inspect",
        sortOptions = false,
        header = "Show and check what kube-proxy programmed on the nodes (iptables, IPVS, nftables) against the API.",
        description = {
            "For every node (or --node / -l): detect kube-proxy's mode, read its rules over SSH (one session and",
            "one script run per node), map them to the API's Services and EndpointSlices by recomputing kube-proxy's",
            "chain names, and report drift: missing or stale services and backends, wrong probabilities, malformed",
            "DNAT, REJECT for a service with endpoints, unreferenced chains, IPVS addresses not bound.",
            "",
            "Exit status: 0 every node checked and consistent; 7 error-severity drift on at least one node (even if",
            "other nodes could not be checked); otherwise the first unchecked node's code (6 unreachable or a tool/",
            "kernel feature missing, 5 denied, 3 host key/config). Warnings alone do not change the status."
        },
        footer = {"%nExamples:",
            "  k8scap proxy-inspect",
            "  k8scap proxy-inspect --mode ipvs --node worker-2",
            "  k8scap proxy-inspect --service kube-system/kube-dns:dns",
            "  k8scap proxy-inspect -o json || alert"})
final class ProxyInspectCommand implements Callable<Integer> {
    private static final Pattern SERVICE = Pattern.compile("(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)/)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?::([A-Za-z0-9-]+))?");

    enum Mode { auto, iptables, ipvs, nftables }

    @Spec
    CommandSpec spec;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "auto",
            description = "kube-proxy mode to inspect: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: /proxyMode, the kube-proxy ConfigMap/DaemonSet, and the rules on the node).")
    Mode mode = Mode.auto;

    @Option(names = "--node", paramLabel = "NAME", description = "Inspect this node (repeatable; default: every node).")
    List<String> nodes = new ArrayList<>();

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Inspect the nodes with these labels (e.g. node-role.kubernetes.io/worker).")
    String selector;

    @Option(names = "--service", paramLabel = "[NS/]NAME[:PORT]",
            description = "Show the path a new connection to this Service takes on each node, rule by rule (namespace: -n).")
    String service;

    @Option(names = "--check-ipvs", description = "Also check the IPVS prerequisites (kernel modules, ipset, ipvsadm) on every node.")
    boolean checkIpvs;

    @Mixin
    KubeOptions kube;

    @Mixin
    OutputOptions output;

    @Mixin
    NodeAccessOptions nodeAccess;

    @Mixin
    NodeViaOptions via;

    @Override
    public Integer call() throws InterruptedException {
        validate();
        return run();
    }

    private int run() throws InterruptedException {
        Opening opening = Opening.of(spec, kube);
        Notices notices = opening.notices();
        PrintWriter out = spec.commandLine().getOut();

        List<NodeFanOut.Outcome<NodeInspection>> outcomes;
        // The connection stays open while nodes are visited: helper pods (--via pod|auto) run through it.
        try (KubeConnection kc = opening.connect()) {
            ProxyApi proxyApi = new ProxyApi(kc.client());
            List<String> nodeNames = proxyApi.nodes(nodes, selector);
            ProxyApi.State api = proxyApi.state(notices);
            String[] svc = service == null ? null : resolveService(api, kc.namespace());
            Map<String, K8sCapException> unreachable = new LinkedHashMap<>(); // node → why it has no address
            List<NodeTarget> targets = new ArrayList<>();
            NodeTargets nodeTargets = new NodeTargets(kc.client(), nodeAccess.nodeAddress);
            for (String n : new java.util.LinkedHashSet<>(nodeNames)) {
                try {
                    targets.add(nodeTargets.of(n));
                } catch (K8sCapException e) {
                    unreachable.put(n, e);
                    targets.add(NodeTargets.throughApi(n)); // its outcome is that failure
                }
            }
            ProxyCollector.Request request = new ProxyCollector.Request(mode == Mode.auto ? null : ProxyMode.valueOf(mode.name().toUpperCase(Locale.ROOT)),
                    checkIpvs, svc == null ? null : svc[0], svc == null ? null : svc[1], svc == null ? null : svc[2]);
            NodeAccess access = opening.nodeAccess(kc, nodeAccess, via.podSettings(null));
            ProxyCollector collector = new ProxyCollector();
            outcomes = NodeFanOut.run(targets, NodeFanOut.PARALLELISM, node -> {
                if (unreachable.containsKey(node.name())) {
                    throw unreachable.get(node.name());
                }
                if (api.others().windowsNodes().contains(node.name())) {
                    return NodeInspection.failed(node.name(), ExitCode.UNAVAILABLE.code(), OtherProxies.windows(node.name()));
                }
                try (NodeSession session = access.open(node, via.via, kc.namespace())) {
                    return collector.inspect(session, request, api);
                }
            });
        }

        List<NodeInspection> results = new ArrayList<>();
        for (NodeFanOut.Outcome<NodeInspection> o : outcomes) {
            results.add(o.ok() ? o.value() : NodeInspection.failed(o.node().name(), o.failure().exitCode().code(), o.failure().getMessage()));
        }
        for (NodeInspection r : results) {
            for (String note : r.notes()) {
                notices.accept(r.node() + ": note: " + note);
            }
            if (r.error() != null) {
                notices.error(r.node() + ": " + r.error().message());
            }
        }
        render(out, results);
        return exitCode(results);
    }

    /** 7 when any node has error-severity drift; else the first unchecked node's code; else 0. */
    static int exitCode(List<NodeInspection> results) {
        if (results.stream().anyMatch(r -> r.drift() > 0)) {
            return ExitCode.DRIFT.code();
        }
        return results.stream().filter(r -> r.error() != null).map(r -> r.error().exitCode()).findFirst().orElse(0);
    }

    private void validate() {
        if (!nodes.isEmpty() && selector != null) {
            throw new ParameterException(spec.commandLine(), "give either --node NAME or -l SELECTOR, not both");
        }
        if (service != null && !SERVICE.matcher(service).matches()) {
            throw new ParameterException(spec.commandLine(), "--service wants [NAMESPACE/]NAME[:PORT] (e.g. kube-system/kube-dns:dns), not '"
                    + Terminal.sanitize(service) + "'");
        }
    }

    /** {ns, name, port-or-null}, checked against the API: NOT_FOUND for an unknown Service or port. */
    private String[] resolveService(ProxyApi.State api, String defaultNamespace) {
        Matcher m = SERVICE.matcher(service);
        if (!m.matches()) {
            throw new IllegalStateException("validated");
        }
        String ns = m.group(1) != null ? m.group(1) : defaultNamespace;
        String name = m.group(3);
        String port = m.group(5);
        ProxyApi.checkService(api, ns, name, port);
        return new String[] {ns, name, port};
    }

    // ---- output --------------------------------------------------------------------------------

    private void render(PrintWriter out, List<NodeInspection> results) {
        Printer printer = Printer.of(output, out);
        if (output.structured()) {
            printer.list(results, List.of());
            return;
        }
        List<Printer.Column<NodeInspection>> columns = new ArrayList<>(NODE_COLUMNS);
        if (results.stream().anyMatch(r -> r.error() != null)) {
            columns.add(Printer.Column.of("ERROR", r -> r.error() == null ? null : r.error().message()));
        }
        printer.list(results, columns);

        List<FindingRow> findings = new ArrayList<>();
        for (NodeInspection r : results) {
            for (DataplaneView v : r.dataplanes()) {
                for (Finding f : v.findings()) {
                    findings.add(new FindingRow(r.node(), v.family().id(), f));
                }
            }
        }
        if (!findings.isEmpty()) {
            out.println();
            printer.list(findings, FINDING_COLUMNS);
        }
        for (NodeInspection r : results) {
            if (r.prerequisites() != null) {
                out.println();
                prerequisites(out, r.node(), r.prerequisites());
            }
        }
        boolean single = results.size() == 1;
        for (NodeInspection r : results) {
            if (service != null) {
                for (TraceView t : r.traces()) {
                    out.println();
                    trace(out, r.node(), t);
                }
            } else if (single) {
                for (DataplaneView v : r.dataplanes()) {
                    out.println();
                    line(out, r.node() + ": " + v.mode().id() + " " + v.family().id() + ", " + v.programmedServicePorts() + " of "
                            + v.apiServicePorts() + " service port(s) programmed");
                    List<ModelRow> rows = v.services().stream().map(s -> new ModelRow(v.mode(), s)).toList();
                    if (!rows.isEmpty()) {
                        printer.list(rows, MODEL_COLUMNS);
                    }
                }
            }
        }
        out.flush();
    }

    private static void line(PrintWriter out, String text) {
        out.println(Terminal.sanitize(text));
    }

    private static void prerequisites(PrintWriter out, String node, PrerequisitesView p) {
        StringBuilder b = new StringBuilder(node).append(" prerequisites:");
        for (ModuleCheck m : p.modules()) {
            b.append(' ').append(m.name()).append(' ').append(switch (m.state()) {
                case LOADED -> "✔ (loaded)";
                case BUILTIN -> "✔ (built in)";
                case AVAILABLE -> "✘ (not loaded)";
                case UNKNOWN -> "? (unknown)";
                case MISSING -> "✘";
            });
        }
        for (ToolCheck t : p.tools()) {
            b.append(' ').append(t.name()).append(t.present() ? " ✔" + (t.version() == null ? "" : " " + t.version()) : " ✘");
        }
        b.append(" kernel ").append(p.kernel());
        if (p.kubeProxyVersion() != null) {
            b.append(" kube-proxy ").append(p.kubeProxyVersion());
        }
        line(out, b.toString());
        for (String a : p.advice()) {
            line(out, "  " + a);
        }
    }

    private static void trace(PrintWriter out, String node, TraceView t) {
        line(out, node + ": " + t.spn() + " " + t.frontend() + " (" + t.mode().id() + ")");
        for (TraceStep s : t.steps()) {
            StringBuilder b = new StringBuilder("  ").append(s.table()).append(' ').append(s.chain());
            if (s.rule() != null) {
                b.append(" #").append(s.rule());
            }
            if (s.probability() != null) {
                b.append(String.format(Locale.ROOT, " p=%.5f", s.probability()));
            }
            if (s.weight() != null) {
                b.append(" weight=").append(s.weight());
            }
            if (s.slot() != null) {
                b.append(" slot=").append(s.slot());
            }
            if (s.match() != null && !s.match().isBlank()) {
                b.append("  ").append(s.match());
            }
            if (s.target() != null) {
                b.append("  → ").append(s.target());
            }
            line(out, b.toString());
        }
        for (String n : t.notes()) {
            line(out, "  ! " + n);
        }
        if (t.rulesWalked() != null && t.kubeServicesRules() != null) {
            line(out, "  first packet walks " + t.rulesWalked() + " of " + t.kubeServicesRules() + " KUBE-SERVICES rules before it matches");
        }
        if (t.comparison() != null) {
            line(out, "  " + t.comparison());
        }
    }

    private static final List<Printer.Column<NodeInspection>> NODE_COLUMNS = List.of(
            Printer.Column.of("NODE", NodeInspection::node),
            Printer.Column.of("MODE", r -> r.mode() == null ? null : r.mode().id()),
            Printer.Column.of("SOURCE", NodeInspection::source),
            Printer.Column.of("SERVICES", r -> r.dataplanes().isEmpty() ? null : String.valueOf(r.programmedServices())),
            Printer.Column.of("RULES(nat)", r -> r.rules() == null ? null : String.format(Locale.ROOT, "%,d", r.rules())),
            Printer.Column.of("DRIFT", r -> r.error() != null && r.dataplanes().isEmpty() ? null : String.valueOf(r.drift())),
            Printer.Column.wide("API-SERVICES", r -> r.dataplanes().isEmpty() ? null : String.valueOf(r.apiServices())),
            Printer.Column.wide("WARNINGS", r -> r.dataplanes().isEmpty() ? null : String.valueOf(r.warnings())),
            Printer.Column.wide("FAMILIES", r -> String.join(",", r.dataplanes().stream().map(v -> v.family().id()).toList())),
            Printer.Column.wide("IPTABLES", NodeInspection::iptablesBackend),
            Printer.Column.wide("NOTES", r -> String.valueOf(r.notes().size())));

    record FindingRow(String node, String family, Finding finding) {}

    private static final List<Printer.Column<FindingRow>> FINDING_COLUMNS = List.of(
            Printer.Column.of("NODE", FindingRow::node),
            Printer.Column.of("SEVERITY", f -> f.finding().severity().id()),
            Printer.Column.of("KIND", f -> f.finding().kind().id()),
            Printer.Column.of("SERVICE", f -> f.finding().service()),
            Printer.Column.wide("FAMILY", FindingRow::family),
            Printer.Column.of("DETAIL", f -> f.finding().detail()));

    record ModelRow(ProxyMode mode, ServiceView s) {
        String frontends() {
            List<String> parts = new ArrayList<>();
            for (FrontendView f : s.frontends()) {
                parts.add((f.address() == null ? "node:" + f.port() : f.address().contains(":") ? "[" + f.address() + "]:" + f.port()
                        : f.address() + ":" + f.port()) + (f.chain() == null && s.apiEndpoints() > 0 ? " (missing)" : ""));
            }
            return String.join(" ", parts);
        }

        String backends() {
            if (s.rejects() && s.backends().isEmpty()) {
                return "REJECT (no endpoints)";
            }
            List<String> parts = new ArrayList<>();
            for (BackendView b : s.backends()) {
                String share = String.format(Locale.ROOT, "%.0f%%", b.share() * 100);
                parts.add(b.endpoint() + " " + (b.weight() != null ? "w=" + b.weight() : b.slot() != null ? "slot " + b.slot() + " " + share : share)
                        + (b.inApi() ? "" : " (not in API)"));
            }
            return String.join(", ", parts);
        }
    }

    private static final List<Printer.Column<ModelRow>> MODEL_COLUMNS = List.of(
            Printer.Column.of("SERVICE", r -> r.s().spn()),
            Printer.Column.of("PORT", r -> r.s().port() + "/" + r.s().protocol()),
            Printer.Column.of("FRONTENDS", ModelRow::frontends),
            Printer.Column.of("CHAIN", r -> r.s().chain() == null ? "(no chain)" : r.s().scheduler() != null ? "sched " + r.s().scheduler() : r.s().chain()),
            Printer.Column.of("ENDPOINTS", r -> String.valueOf(r.s().apiEndpoints())),
            Printer.Column.of("BACKENDS", ModelRow::backends));
}
