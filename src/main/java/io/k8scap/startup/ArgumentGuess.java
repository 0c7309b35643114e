package io.k8scap.startup;

import io.k8scap.cluster.KubeSettings;
import java.nio.file.Path;
import java.util.Set;

/**
 * The raw arguments read before picocli parses them, for {@link PreparedClient}: which command
 * runs, and the kube options it will most likely get. A guess only: whatever it gets wrong is
 * compared away once picocli has parsed.
 */
public final class ArgumentGuess {
    private ArgumentGuess() {}

    /** The commands that talk to the API server. */
    private static final Set<String> CLUSTER_COMMANDS = Set.of("locate", "capture", "debug", "proxy-inspect", "gc");

    /**
     * The command {@code args} run when it is one that talks to the API server (the first argument
     * that is not an option), and neither help nor version is asked for; else null.
     */
    public static String clusterCommand(String[] args) {
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

    /**
     * --kubeconfig, --context and -n as picocli will most likely parse them from {@code args}
     * (only asked when {@link #clusterCommand} names a command); null when the path is not one.
     */
    public static KubeSettings kubeSettings(String[] args) {
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
