package io.k8scap.proxy;

/** A userspace tool on the node, e.g. ipset v7.17, ipvsadm v1.31. */
public record ToolCheck(String name, boolean present, String version) {
}
