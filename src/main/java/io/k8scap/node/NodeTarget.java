package io.k8scap.node;

/** A node to reach: its Kubernetes name (for messages and ~/.ssh/config Host matching) and the address chosen for it. */
public record NodeTarget(String name, String address) {}
