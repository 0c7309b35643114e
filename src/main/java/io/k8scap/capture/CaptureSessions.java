package io.k8scap.capture;

import io.k8scap.K8sCapException;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.node.ContainerLocation;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NodeFacts;
import io.k8scap.node.NodeFanOut;
import io.k8scap.node.NodeSession;
import io.k8scap.node.NodeTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Where to capture each pod, and the node sessions the capture runs over: one session per node
 * (SSH or a helper pod; kept open for the capture), one locate run for its pods, the "is tcpdump
 * there?" check, and {@link CapturePlanner} per pod. The first pod of each node that can be captured
 * gets its tcpdump started on that same locate channel ({@link RemoteTcpdump#locateThenStart}: one
 * exec less before the first packet); {@link CaptureRun} starts the other pods'. {@link #close()}
 * stops every tcpdump started here and closes every session.
 */
public final class CaptureSessions implements AutoCloseable {
    /** Opens one node's session for pods of {@code namespace} (the node-access choice is the caller's). */
    @FunctionalInterface
    public interface NodeOpener {
        NodeSession open(NodeTarget node, String namespace);
    }

    private final Map<NodeTarget, NodeSession> sessions = new ConcurrentHashMap<>();
    private final Map<CapturePoint, RemoteTcpdump> started = new ConcurrentHashMap<>();
    private final Map<String, PodContext> contexts = new ConcurrentHashMap<>();
    private boolean metadata;
    private final CaptureRun.TcpdumpSettings settings;
    private final Consumer<String> notices;
    private final Consumer<String> errors;

    /**
     * @param notices what the user is told (where a pod is captured instead, and why)
     * @param errors  a pod that cannot be captured while others can (the capture goes on)
     */
    public CaptureSessions(CaptureRun.TcpdumpSettings settings, Consumer<String> notices, Consumer<String> errors) {
        this.settings = settings;
        this.notices = notices;
        this.errors = errors;
    }

    /**
     * {@code --metadata}: each node's locate channel also answers the network context of its pods
     * ({@link PodContext}), before the first tcpdump starts; {@link #contexts()} holds them.
     */
    public CaptureSessions withMetadata(boolean on) {
        this.metadata = on;
        return this;
    }

    /** The network context of each pod by {@link ResolvedPod#key()} ({@code --metadata}), as gathered. */
    public Map<String, PodContext> contexts() {
        return contexts;
    }

    /**
     * Locates every pod on its node and chooses where to capture it.
     *
     * @param inside   --inside
     * @param podIface --interface (null: the pod's primary interface)
     * @return the pods that can be captured, in order; each other pod was reported on {@code errors}
     * @throws K8sCapException the first pod's failure, when no pod can be captured
     */
    public List<CapturePoint> locate(Map<NodeTarget, List<ResolvedPod>> byNode, NodeOpener opener, boolean inside, String podIface)
            throws InterruptedException {
        List<NodeFanOut.Outcome<List<Planned>>> outcomes = NodeFanOut.run(new ArrayList<>(byNode.keySet()), NodeFanOut.PARALLELISM, node -> {
            List<ResolvedPod> onNode = byNode.get(node);
            NodeSession session = opener.open(node, onNode.get(0).namespace());
            sessions.put(node, session);
            List<Planned> planned = new ArrayList<>(); // per pod, in order
            java.time.Instant at = java.time.Instant.now();
            RemoteTcpdump.Located located = RemoteTcpdump.locateThenStart(session,
                    onNode.stream().map(p -> ContainerRef.parse(p.containerId())).toList(), settings.heartbeatTimeout(),
                    metadata ? facts -> contextRequest(onNode, facts) : null, facts -> {
                        for (int i = 0; i < onNode.size(); i++) {
                            planned.add(plan(onNode.get(i), node, facts, facts.containers().get(i), inside, podIface));
                        }
                        return firstPoint(planned).map(settings::spec).orElse(null);
                    });
            if (located.tcpdump() != null) {
                firstPoint(planned).ifPresent(first -> started.put(first, located.tcpdump()));
            }
            if (located.context() != null) {
                Map<Long, Map<String, List<String>>> byPid = PodContext.parse(located.context());
                for (int i = 0; i < onNode.size(); i++) {
                    Map<String, List<String>> sections = byPid.get(located.facts().containers().get(i).pid());
                    if (sections != null) {
                        contexts.put(onNode.get(i).key(), new PodContext(onNode.get(i).key(), node.name(), at, sections));
                    }
                }
            }
            return planned;
        });
        List<CapturePoint> points = new ArrayList<>();
        K8sCapException first = null;
        int pods = byNode.values().stream().mapToInt(List::size).sum();
        for (NodeFanOut.Outcome<List<Planned>> o : outcomes) {
            List<ResolvedPod> onNode = byNode.get(o.node());
            for (int i = 0; i < onNode.size(); i++) {
                Planned planned = o.ok() ? o.value().get(i) : new Planned(null, o.failure());
                if (planned.point() != null) {
                    points.add(planned.point());
                } else {
                    K8sCapException e = planned.error();
                    first = first == null ? e : first;
                    if (pods > 1) {
                        errors.accept(onNode.get(i).key() + ": " + e.getMessage());
                    }
                }
            }
        }
        if (points.isEmpty()) {
            throw first;
        }
        if (first != null) {
            notices.accept("capturing the other " + points.size() + " pod(s)");
        }
        return points;
    }

    /** The tcpdumps started on their node's locate channel, by capture point. */
    public Map<CapturePoint, RemoteTcpdump> started() {
        return started;
    }

    /** The open session of each node. */
    public Map<NodeTarget, NodeSession> sessions() {
        return sessions;
    }

    /** Stops the tcpdumps started here (at once when they ended) and closes the sessions. */
    @Override
    public void close() {
        started.values().forEach(RemoteTcpdump::close);
        sessions.values().forEach(NodeSession::close);
    }

    /** context.sh's request for the located pods of one node: their PIDs and pod IPs. */
    private static List<String> contextRequest(List<ResolvedPod> onNode, NodeFacts facts) {
        List<Long> pids = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (int i = 0; i < onNode.size(); i++) {
            ContainerLocation loc = facts.containers().get(i);
            if (loc.ok() && loc.pid() > 0 && !pids.contains(loc.pid())) {
                pids.add(loc.pid());
                ips.add(onNode.get(i).podIP());
            }
        }
        return PodContext.request(pids, ips);
    }

    /** Where one pod is captured ({@code point}), or why it cannot be ({@code error}). */
    private record Planned(CapturePoint point, K8sCapException error) {}

    private static java.util.Optional<CapturePoint> firstPoint(List<Planned> planned) {
        return planned.stream().map(Planned::point).filter(Objects::nonNull).findFirst();
    }

    /** Where to capture one located pod, or why it cannot be. */
    private Planned plan(ResolvedPod pod, NodeTarget node, NodeFacts facts, ContainerLocation loc, boolean inside, String podIface) {
        try {
            if (loc.ok() && !facts.tools().containsKey("tcpdump")) {
                throw K8sCapException.unavailable("tcpdump is not installed on node " + node.name()
                        + ": install it there (apt-get install tcpdump, dnf install tcpdump), or capture from a helper pod with --via pod");
            }
            return new Planned(CapturePlanner.plan(pod, node, loc, inside, podIface, notices), null);
        } catch (K8sCapException e) {
            return new Planned(null, e);
        }
    }
}
