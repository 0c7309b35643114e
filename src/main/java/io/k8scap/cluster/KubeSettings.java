package io.k8scap.cluster;

import java.nio.file.Path;

/**
 * The kube options as the user typed them (--kubeconfig, --context, -n); each may be null.
 *
 * @param kubeconfig null: $KUBECONFIG (a path list, like kubectl), else ~/.kube/config
 * @param context    null: the kubeconfig's current-context
 * @param namespace  null: the context's namespace, else "default"
 */
public record KubeSettings(Path kubeconfig, String context, String namespace) {
    public static KubeSettings defaults() {
        return new KubeSettings(null, null, null);
    }
}
