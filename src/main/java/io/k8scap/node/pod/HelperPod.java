package io.k8scap.node.pod;

import java.time.Instant;

/**
 * A helper pod k8scap created: where it is, which node it serves, and when it must be gone.
 *
 * @param deadline creation time + {@code activeDeadlineSeconds}; after it the kubelet has killed the
 *                 pod and {@code k8scap gc} may delete it
 */
public record HelperPod(String namespace, String name, String node, String session, Instant created, Instant deadline) {
    /** {@code NAMESPACE/NAME}, for messages. */
    public String key() {
        return namespace + "/" + name;
    }
}
