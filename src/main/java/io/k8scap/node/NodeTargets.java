package io.k8scap.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8scap.cluster.NodeAddressType;
import io.k8scap.cluster.NodeAddresses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Node name → the {@link NodeTarget} to reach it, its address chosen by {@code --node-address}:
 * the one way commands make node targets. Each Node is read from the API at most once.
 */
public final class NodeTargets {
    private final NodeAddresses addresses;
    private final NodeAddressType type;

    public NodeTargets(KubernetesClient client, NodeAddressType type) {
        this.addresses = new NodeAddresses(client);
        this.type = type;
    }

    /** The node to reach; NOT_FOUND (4) when the node or that kind of address is missing. */
    public NodeTarget of(String nodeName) {
        return new NodeTarget(nodeName, addresses.address(nodeName, type));
    }

    /** {@code items} grouped by their node: nodes in the order their first item came, items in the order given. */
    public <T> Map<NodeTarget, List<T>> group(List<T> items, Function<T, String> nodeName) {
        Map<String, NodeTarget> targets = new LinkedHashMap<>();
        for (T item : items) {
            targets.computeIfAbsent(nodeName.apply(item), this::of); // every address first, as before any grouping
        }
        Map<NodeTarget, List<T>> byNode = new LinkedHashMap<>();
        for (T item : items) {
            byNode.computeIfAbsent(targets.get(nodeName.apply(item)), n -> new ArrayList<>()).add(item);
        }
        return byNode;
    }

    /** A node reached through the API server (a helper pod on it), not by address: no Node is read. */
    public static NodeTarget throughApi(String nodeName) {
        return new NodeTarget(nodeName, null);
    }
}
