package io.k8scap.debug;

/** How {@code k8scap debug} gets a shell into a pod's namespaces. */
public enum Via {
    /** an ephemeral container added through pods/ephemeralcontainers (the default). */
    ephemeral,
    /** SSH to the node and nsenter into the container's namespaces with the node's own tools. */
    node,
    /** a privileged helper pod on the node (kubectl-debug model): the helper image's tools in the container's namespaces. */
    agent
}
