package io.k8scap.cli;

import io.k8scap.cluster.KubeSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * kubectl's own options, with kubectl's meanings. Read through {@link Opening} (the API connection,
 * the -A/-n rule), so that where they are declared can change in one place.
 */
public final class KubeOptions {
    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use.")
    String context;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "Namespace (default: the context's namespace, else \"default\").")
    String namespace;

    /** As the user typed them (each may be null). */
    KubeSettings settings() {
        return new KubeSettings(kubeconfig, context, namespace);
    }
}
