package io.k8scap.node;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs one piece of work per node, several nodes at once (bounded), and keeps each node's outcome
 * apart: one unreachable node does not hide the answers of the others.
 */
public final class NodeFanOut {
    /** Nodes contacted at once, by every command that visits nodes. */
    public static final int PARALLELISM = 8;

    private NodeFanOut() {}

    /** The outcome for one node: a value, or the failure that stopped it. */
    public record Outcome<R>(NodeTarget node, R value, K8sCapException failure) {
        public boolean ok() {
            return failure == null;
        }
    }

    /**
     * Applies {@code work} to every node, at most {@code parallelism} at a time, and returns the
     * outcomes in the order of {@code nodes}. A {@link K8sCapException} becomes that node's failure;
     * any other exception becomes a FAILURE outcome naming the node.
     */
    public static <R> List<Outcome<R>> run(List<NodeTarget> nodes, int parallelism, Function<NodeTarget, R> work) throws InterruptedException {
        if (nodes.size() == 1) {
            return List.of(apply(nodes.get(0), work));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, nodes.size())), r -> {
            Thread t = new Thread(r, "k8scap-node");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<NodeTarget, Future<Outcome<R>>> futures = new LinkedHashMap<>();
            for (NodeTarget n : nodes) {
                futures.put(n, pool.submit(() -> apply(n, work)));
            }
            List<Outcome<R>> out = new ArrayList<>();
            for (Future<Outcome<R>> f : futures.values()) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <R> Outcome<R> apply(NodeTarget node, Function<NodeTarget, R> work) {
        try {
            return new Outcome<>(node, work.apply(node), null);
        } catch (K8sCapException e) {
            return new Outcome<>(node, null, e);
        } catch (RuntimeException e) {
            return new Outcome<>(node, null, new K8sCapException(ExitCode.FAILURE,
                    "unexpected failure on node " + node.name() + ": " + e, e));
        }
    }
}
