package io.k8scap.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;

/**
 * A client built from a kubeconfig plus what was derived on the way (no API call was made yet).
 *
 * @param namespace   effective namespace: the -n flag, else the context's namespace, else "default"
 * @param context     the context in use (the --context flag or the current-context)
 * @param kubeconfigs the kubeconfig file(s) read, in merge order
 */
public record KubeConnection(KubernetesClient client, String namespace, String context, List<Path> kubeconfigs)
        implements AutoCloseable {

    public KubeConnection {
        kubeconfigs = List.copyOf(kubeconfigs);
    }

    /** The API server URL, for messages. */
    public String apiServer() {
        return String.valueOf(client.getMasterUrl());
    }

    @Override
    public void close() {
        client.close();
    }
}
