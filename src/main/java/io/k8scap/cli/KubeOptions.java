package io.k8scap.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** kubectl's own options, with kubectl's meanings. */
public final class KubeOptions {
    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use.")
    String context;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "Namespace (default: the context's namespace, else \"default\").")
    String namespace;
}
