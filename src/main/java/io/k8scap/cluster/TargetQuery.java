package io.k8scap.cluster;

import java.util.List;

/**
 * What the user asked for, as typed: positional targets ({@code POD}, {@code deploy/NAME}, a
 * workload word), a label selector, the container, and the namespace scope.
 *
 * @param namespace      effective namespace (flag, else the kubeconfig context's, else "default")
 * @param allNamespaces  -A
 * @param targets        positional targets; may be empty when {@code selector} is set
 * @param selector       -l, or null
 * @param container      -c, or null for the pod's first container
 */
public record TargetQuery(String namespace, boolean allNamespaces, List<String> targets, String selector, String container) {
    public TargetQuery {
        targets = targets == null ? List.of() : List.copyOf(targets);
    }
}
