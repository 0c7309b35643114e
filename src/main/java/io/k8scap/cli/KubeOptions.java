package io.k8scap.cli;

import io.k8scap.cluster.KubeSettings;
import java.nio.file.Path;
import java.util.Set;
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

    /**
     * The command {@code args} run when it is one that talks to the API server (the first argument
     * that is not an option), and neither help nor version is asked for; else null.
     */
    static String clusterCommand(String[] args) {
        for (String a : args) {
            if ("--".equals(a)) {
                break;
            }
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return null;
            }
        }
        for (String a : args) {
            if (!a.startsWith("-")) {
                return CLUSTER_COMMANDS.contains(a) ? a : null;
            }
        }
        return null;
    }

    /** The commands that talk to the API server. */
    private static final Set<String> CLUSTER_COMMANDS = Set.of("locate", "capture", "debug", "proxy-inspect", "gc");

    /**
     * These options as picocli will most likely parse them from {@code args}, read before the
     * command line is built (for {@link io.k8scap.cluster.KubeClients#prepare}, when
     * {@link #clusterCommand} says the command talks to the API server). A guess only: whatever it
     * gets wrong is compared away once picocli has parsed.
     */
    static KubeSettings guess(String[] args) {
        String file = null;
        String ctx = null;
        String ns = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            boolean hasNext = i + 1 < args.length;
            if ("--".equals(a)) {
                break;
            } else if (a.equals("--kubeconfig") && hasNext) {
                file = args[++i];
            } else if (a.startsWith("--kubeconfig=")) {
                file = a.substring("--kubeconfig=".length());
            } else if (a.equals("--context") && hasNext) {
                ctx = args[++i];
            } else if (a.startsWith("--context=")) {
                ctx = a.substring("--context=".length());
            } else if ((a.equals("-n") || a.equals("--namespace")) && hasNext) {
                ns = args[++i];
            } else if (a.startsWith("--namespace=")) {
                ns = a.substring("--namespace=".length());
            } else if (a.startsWith("-n=")) {
                ns = a.substring(3);
            } else if (a.startsWith("-n") && !a.startsWith("--")) {
                ns = a.substring(2);
            }
        }
        try {
            return new KubeSettings(file == null ? null : Path.of(file), ctx, ns);
        } catch (RuntimeException e) { // an invalid path: picocli will say so
            return null;
        }
    }
}
