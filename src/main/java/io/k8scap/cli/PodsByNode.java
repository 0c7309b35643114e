package io.k8scap.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8scap.cluster.NodeAddressType;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.node.NodeTarget;
import io.k8scap.node.NodeTargets;
import java.util.List;
import java.util.Map;

/** Resolved pods grouped by their node, each node read once for its address: the unit of work per node (capture; locate asks {@link NodeTargets} itself). */
final class PodsByNode {
    private PodsByNode() {}

    /** Nodes in the order their first pod came; pods in resolution order ({@link NodeTargets#group}). */
    static Map<NodeTarget, List<ResolvedPod>> group(KubernetesClient client, List<ResolvedPod> pods, NodeAddressType type) {
        return new NodeTargets(client, type).group(pods, ResolvedPod::nodeName);
    }
}
