package io.k8scap.cli;

import io.k8scap.cluster.KubeConnection;
import io.k8scap.node.NodeAccess;
import io.k8scap.node.PodAccessSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What every cluster command does first, in one place: its notices (silenced by -q), -v/-q as this
 * run's {@link Logging}, the API connection (the one the start-up prepared, when it guessed the
 * options right), the -A/-n rule, and node access. A command's {@code run()}
 * starts with {@code Opening.of(spec, kube)}; {@link #notices} are its messages for stderr (escaped,
 * silenced by -q but for errors).
 */
record Opening(CommandSpec spec, KubeOptions kube, RootCommand root, Notices notices) {
    /** The opening of the command {@code spec} describes, with its kube options. */
    static Opening of(CommandSpec spec, KubeOptions kube) {
        RootCommand root = root(spec);
        return new Opening(spec, kube, root, new Notices(spec.commandLine().getErr(), root.logging()));
    }

    /** The root command of {@code spec}'s tree: what the run's start-up handed on. */
    static RootCommand root(CommandSpec spec) {
        return spec.root().userObject() instanceof RootCommand r ? r : new RootCommand();
    }

    /** Validation: -A and -n contradict each other (kubectl's rule). */
    static void checkNamespaceScope(CommandSpec spec, boolean allNamespaces, KubeOptions kube) {
        if (allNamespaces && kube.namespace != null) {
            throw new ParameterException(spec.commandLine(), "-A and -n cannot be used together");
        }
    }

    Logging logging() {
        return root.logging();
    }

    /** The API connection for --kubeconfig, --context and -n (no API call yet). */
    KubeConnection connect() {
        return root.client().connect(kube.settings());
    }

    /** The one way to open node sessions: SSH as {@code ssh} says, helper pods as {@code pods} says. */
    NodeAccess nodeAccess(KubeConnection kc, NodeAccessOptions ssh, PodAccessSettings pods) {
        return new NodeAccess(kc.client(), ssh.settings(), pods, notices, logging().libraryDebug());
    }

    /** stdout and stderr as the command line's writers have them so far (before bytes go straight to the streams). */
    void flush() {
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
    }
}
