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

    /** Options of the commands that may also be typed before the command, as kubectl's: they take a value. */
    private static final Set<String> LEADING_WITH_VALUE = Set.of("--kubeconfig", "--context", "-n", "--namespace", "-o", "--output");
    /** ... and these are flags. */
    private static final Set<String> LEADING_FLAGS = Set.of("-A", "--all-namespaces", "--no-headers");
    /** Options of the root itself (inherited by every command): they stay where they are. */
    private static final Set<String> ROOT_FLAGS = Set.of("-v", "--verbose", "-q", "--quiet");

    /**
     * {@code args} with the command's options typed before the command ({@code -n flyte capture web},
     * as kubectl is typed) moved to just after the command name ({@code capture -n flyte web}), so
     * that they mean the same wherever typed, give the same errors (an option the command has not is
     * "Unknown option" for that command), and one typed again after the command wins (picocli takes
     * the last value of a repeated option). Unchanged when nothing needs moving, when help or version
     * is asked before the command, or when no command follows.
     */
    public static String[] commandFirst(String[] args) {
        java.util.List<String> stay = new java.util.ArrayList<>();
        java.util.List<String> moved = new java.util.ArrayList<>();
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.equals("-")) {
                break; // the command
            }
            String name = a.startsWith("--") && a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (ROOT_FLAGS.contains(a) || a.matches("-v+") || a.matches("-[vq]+")) {
                stay.add(a);
            } else if (LEADING_FLAGS.contains(a)) {
                moved.add(a);
            } else if (LEADING_WITH_VALUE.contains(name) && a.contains("=")) {
                moved.add(a);
            } else if (LEADING_WITH_VALUE.contains(a)) {
                if (i + 1 >= args.length) {
                    return args;
                }
                moved.add(a);
                moved.add(args[++i]);
            } else if (a.length() > 2 && (a.startsWith("-n") || a.startsWith("-o")) && !a.startsWith("--")) {
                moved.add(a); // -nflyte, -n=flyte, -ojson
            } else {
                return args; // --help, --version, --, or an option picocli will name
            }
        }
        if (moved.isEmpty() || i >= args.length) {
            return args;
        }
        String[] out = new String[args.length];
        int k = 0;
        for (String a : stay) {
            out[k++] = a;
        }
        out[k++] = args[i];
        for (String a : moved) {
            out[k++] = a;
        }
        System.arraycopy(args, i + 1, out, k, args.length - i - 1);
        return out;
    }

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
