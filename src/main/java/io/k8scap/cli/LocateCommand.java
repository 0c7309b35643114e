package io.k8scap.cli;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.KubeConnection;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.cluster.TargetQuery;
import io.k8scap.cluster.TargetResolver;
import io.k8scap.node.ContainerLocation;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NetInterface;
import io.k8scap.node.NodeFacts;
import io.k8scap.node.NodeFanOut;
import io.k8scap.node.NodeLocator;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.NodeTargets;
import io.k8scap.node.NodeAccess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code k8scap locate}: pod → node → container PID → network namespace → pod interface → host-side
 * peer, with one API round of lookups and one SSH connection (one script run) per node.
 */
@Command(name = "locate",
        sortOptions = false,
        header = "Find a pod's node, container PID, network namespace, pod interface and host-side peer.",
        description = {
            "The manual steps (find the node, ssh there, find the container and its PID, enter its",
            "network namespace, read eth0@ifN, find host interface N) in one command: one API lookup,",
            "one SSH connection and one node-side script run per node.",
            "",
            "TARGET is a pod name, KIND/NAME (deploy, sts, ds, rs, job, svc), or a workload's name;",
            "the pods chosen for a workload name are listed on stderr."
        },
        footer = {"%nExamples:",
            "  k8scap locate -n flyte flyteadmin",
            "  k8scap locate -n flyte -l app=flyteadmin -o json",
            "  k8scap locate -n kube-system ds/kube-proxy --ssh-user admin --sudo"})
final class LocateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = "Pod, KIND/NAME, or workload name (several allowed).")
    List<String> targets = new ArrayList<>();

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Label selector, as kubectl's (e.g. app=web,tier!=db).")
    String selector;

    @Option(names = {"-c", "--container"}, paramLabel = "NAME", description = "Container whose PID is reported (default: the pod's default container).")
    String container;

    @Option(names = {"-A", "--all-namespaces"}, description = "Look in every namespace (a name found in several is refused: use -n).")
    boolean allNamespaces;

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

        List<ResolvedPod> pods;
        Map<NodeTarget, List<ResolvedPod>> byNode = new LinkedHashMap<>();
        List<NodeFanOut.Outcome<NodeFacts>> outcomes;
        // The connection stays open while nodes are visited: helper pods (--via pod|auto) need the API.
        try (KubeConnection kc = opening.connect()) {
            pods = new TargetResolver(kc.client(), notices)
                    .resolve(new TargetQuery(kc.namespace(), allNamespaces, targets, selector, container));
            byNode.putAll(new NodeTargets(kc.client(), nodeAccess.nodeAddress).group(pods, ResolvedPod::nodeName));
            NodeAccess access = opening.nodeAccess(kc, nodeAccess, via.podSettings(null));
            NodeLocator locator = new NodeLocator();
            outcomes = NodeFanOut.run(new ArrayList<>(byNode.keySet()), NodeFanOut.PARALLELISM, node -> {
                List<ResolvedPod> onNode = byNode.get(node);
                List<ContainerRef> refs = onNode.stream().map(p -> ContainerRef.parse(p.containerId())).toList();
                try (NodeSession session = access.open(node, via.via, onNode.get(0).namespace())) {
                    return locator.locate(session, refs);
                }
            });
        }

        List<LocateRow> rows = new ArrayList<>();
        ExitCode worst = null;
        for (NodeFanOut.Outcome<NodeFacts> o : outcomes) {
            List<ResolvedPod> onNode = byNode.get(o.node());
            for (int i = 0; i < onNode.size(); i++) {
                ResolvedPod pod = onNode.get(i);
                ContainerLocation loc = o.ok() ? o.value().containers().get(i) : null;
                String error = o.ok() ? loc.error() : o.failure().getMessage();
                ExitCode code = o.ok() ? loc.errorCode() : o.failure().exitCode();
                if (code != null) {
                    notices.error(pod.key() + ": " + error);
                    worst = worst == null ? code : worst;
                } else if (loc.primary() != null && loc.hostPeer() == null && !loc.hostNetns()) {
                    notices.accept(pod.key() + ": " + loc.primary().name() + " has no veth peer on the host ("
                            + (loc.primary().kind().isEmpty() ? "unknown kind" : loc.primary().kind())
                            + "); traffic can be captured inside the pod's network namespace");
                }
                rows.add(LocateRow.of(pod, o.node(), loc, code, error));
            }
        }
        // JSON/YAML list every pod, failed ones with their error; a table shows the pods that were
        // located (the failures are on stderr) and nothing at all when none was.
        boolean structured = output.structured();
        List<LocateRow> shown = structured ? rows : rows.stream().filter(r -> r.error() == null).toList();
        if (!shown.isEmpty()) {
            Printer.of(output, spec.commandLine().getOut()).list(shown, COLUMNS);
        }
        return worst == null ? 0 : worst.code();
    }

    private void validate() {
        if (targets.isEmpty() && selector == null) {
            throw new ParameterException(spec.commandLine(), "locate needs a TARGET (pod, KIND/NAME or workload name) or -l SELECTOR");
        }
        if (!targets.isEmpty() && selector != null) {
            throw new ParameterException(spec.commandLine(), "give either TARGETs or -l SELECTOR, not both");
        }
        Opening.checkNamespaceScope(spec, allNamespaces, kube);
    }

    /** One pod's answer, as printed (table) and serialized (JSON/YAML). */
    record LocateRow(String namespace, String pod, String node, String address, String runtime, String container,
                     String containerID, String method, Long pid, Long netns, Boolean hostNetwork,
                     String podInterface, String podInterfaceKind, List<String> podAddresses,
                     String hostInterface, Integer hostInterfaceIndex, String podIP, Error error) {

        record Error(int exitCode, String message) {}

        static LocateRow of(ResolvedPod pod, NodeTarget node, ContainerLocation loc, ExitCode code, String error) {
            ContainerRef ref = ContainerRef.parse(pod.containerId());
            boolean ok = code == null;
            NetInterface primary = ok ? loc.primary() : null;
            NetInterface peer = ok ? loc.hostPeer() : null;
            return new LocateRow(pod.namespace(), pod.name(), pod.nodeName(), node.address(), ref.runtime(), pod.containerName(),
                    pod.containerId(), ok ? loc.method() : null, ok ? loc.pid() : null, ok ? loc.netnsInode() : null,
                    ok ? loc.hostNetns() : null,
                    primary == null ? null : primary.display(), primary == null ? null : primary.kind(),
                    primary == null ? null : primary.addresses(),
                    peer == null ? null : peer.name(), peer == null ? null : peer.index(), pod.podIP(),
                    ok ? null : new Error(code.code(), error));
        }

        String hostIfCell() {
            if (Boolean.TRUE.equals(hostNetwork)) {
                return "(host netns)";
            }
            return hostInterface;
        }
    }

    private static final List<Printer.Column<LocateRow>> COLUMNS = List.of(
            Printer.Column.of("NAMESPACE", LocateRow::namespace),
            Printer.Column.of("POD", LocateRow::pod),
            Printer.Column.of("NODE", LocateRow::node),
            Printer.Column.of("ADDRESS", LocateRow::address),
            Printer.Column.of("RUNTIME", LocateRow::runtime),
            Printer.Column.of("CONTAINER", LocateRow::container),
            Printer.Column.of("PID", r -> r.pid() == null ? null : r.pid().toString()),
            Printer.Column.of("NETNS", r -> r.netns() == null ? null : r.netns().toString()),
            Printer.Column.of("POD-IF", r -> Boolean.TRUE.equals(r.hostNetwork()) ? "(host netns)" : r.podInterface()),
            Printer.Column.of("HOST-IF", LocateRow::hostIfCell),
            Printer.Column.of("POD-IP", LocateRow::podIP),
            Printer.Column.wide("IF-KIND", LocateRow::podInterfaceKind),
            Printer.Column.wide("METHOD", LocateRow::method),
            Printer.Column.wide("CONTAINER-ID", r -> ContainerRef.parse(r.containerID()).shortId()));
}
