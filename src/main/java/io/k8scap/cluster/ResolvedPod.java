package io.k8scap.cluster;

/**
 * One pod chosen by target resolution, with the container whose namespaces are used.
 *
 * @param containerId as the pod status has it, with its scheme: {@code containerd://…}, {@code docker://…}
 */
public record ResolvedPod(
        String namespace,
        String name,
        String uid,
        String nodeName,
        String podIP,
        boolean hostNetwork,
        String containerName,
        String containerId) {

    public String key() {
        return namespace + "/" + name;
    }
}
