package io.k8scap.node;

/**
 * A container as the pod status names it: {@code containerID: "containerd://abc…"} → runtime
 * {@code containerd}, id {@code abc…}. The runtime comes from the scheme, never from guessing.
 */
public record ContainerRef(String runtime, String id) {

    public static ContainerRef parse(String containerId) {
        if (containerId == null || containerId.isBlank()) {
            throw new IllegalArgumentException("empty containerID");
        }
        int i = containerId.indexOf("://");
        if (i <= 0 || i + 3 >= containerId.length()) {
            throw new IllegalArgumentException("containerID without runtime scheme: " + containerId);
        }
        return new ContainerRef(containerId.substring(0, i), containerId.substring(i + 3));
    }

    /** The form the node script takes as an argument: {@code runtime://id}. */
    public String spec() {
        return runtime + "://" + id;
    }

    public String shortId() {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
