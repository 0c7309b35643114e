package io.k8scap.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8scap.K8sCapException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Picks the address SSH goes to for a node (--node-address). Each Node is fetched at most once per
 * instance, however many pods run on it. {@link NodeAddressType#NAME} needs no API call at all (and
 * so no RBAC on nodes).
 */
public final class NodeAddresses {
    private final KubernetesClient client;
    private final Map<String, Optional<Node>> cache = new HashMap<>();

    public NodeAddresses(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** The node's address of that type; NOT_FOUND (4) if the node or that address is missing. */
    public String address(String nodeName, NodeAddressType type) {
        if (type == NodeAddressType.NAME) {
            return nodeName;
        }
        Node node = node(nodeName).orElseThrow(() -> K8sCapException.notFound("node " + Text.safe(nodeName)
                + " not found; it may have left the cluster (kubectl get nodes)"));
        String wanted = statusType(type);
        List<NodeAddress> addrs = node.getStatus() == null || node.getStatus().getAddresses() == null
                ? List.of() : node.getStatus().getAddresses();
        return addrs.stream()
                .filter(a -> wanted.equals(a.getType()) && a.getAddress() != null && !a.getAddress().isBlank())
                .map(NodeAddress::getAddress)
                .findFirst()
                .orElseThrow(() -> K8sCapException.notFound("node " + Text.safe(nodeName) + " has no " + wanted + " address"
                        + (addrs.isEmpty() ? " (it reports no addresses)" : " (it has: " + has(addrs) + ")")
                        + "; try " + alternatives(addrs, type)));
    }

    /** {@link #address} for each node, in the order given. */
    public Map<String, String> addresses(Collection<String> nodeNames, NodeAddressType type) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : new LinkedHashSet<>(nodeNames)) {
            out.put(n, address(n, type));
        }
        return out;
    }

    private Optional<Node> node(String name) {
        return cache.computeIfAbsent(name, n -> {
            try {
                return Optional.ofNullable(client.nodes().withName(n).get());
            } catch (KubernetesClientException e) {
                K8sCapException mapped = KubeClients.fromApi(e, "get nodes/" + n, String.valueOf(client.getMasterUrl()));
                if (e.getCode() == 401 || e.getCode() == 403) {
                    throw new K8sCapException(mapped.exitCode(), mapped.getMessage()
                            + " (or skip the lookup with --node-address name)", e);
                }
                throw mapped;
            }
        });
    }

    static String statusType(NodeAddressType type) {
        return switch (type) {
            case INTERNAL -> "InternalIP";
            case EXTERNAL -> "ExternalIP";
            case HOSTNAME -> "Hostname";
            case NAME -> "name";
        };
    }

    private static String flag(String statusType) {
        return switch (statusType) {
            case "InternalIP" -> "internal";
            case "ExternalIP" -> "external";
            case "Hostname" -> "hostname";
            default -> null;
        };
    }

    private static String has(List<NodeAddress> addrs) {
        return addrs.stream().map(a -> Text.safe(a.getType()) + " " + Text.safe(a.getAddress()))
                .collect(Collectors.joining(", "));
    }

    private static String alternatives(List<NodeAddress> addrs, NodeAddressType type) {
        Set<String> flags = new LinkedHashSet<>();
        for (NodeAddress a : addrs) {
            String f = a.getType() == null ? null : flag(a.getType());
            if (f != null && !f.equals(type.name().toLowerCase(Locale.ROOT))) {
                flags.add("--node-address " + f);
            }
        }
        flags.add("--node-address name");
        return String.join(" or ", flags);
    }
}
