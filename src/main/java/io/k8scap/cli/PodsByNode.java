package io.k8scap.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8scap.cluster.NodeAddressType;
import io.k8scap.cluster.NodeAddresses;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.node.NodeTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Resolved pods grouped by their node, each node read once for its address: the unit of work per node. */
final class PodsByNode {
    private PodsByNode() {}

    /** Nodes in the order their first pod came; pods in resolution order. */
    static Map<NodeTarget, List<ResolvedPod>> group(KubernetesClient client, List<ResolvedPod> pods, NodeAddressType type) {
        Set<String> names = new LinkedHashSet<>();
        pods.forEach(p -> names.add(p.nodeName()));
        Map<String, String> addresses = new NodeAddresses(client).addresses(names, type);
        Map<NodeTarget, List<ResolvedPod>> byNode = new LinkedHashMap<>();
        for (ResolvedPod p : pods) {
            byNode.computeIfAbsent(new NodeTarget(p.nodeName(), addresses.get(p.nodeName())), n -> new ArrayList<>()).add(p);
        }
        return byNode;
    }
}
