package io.k8scap.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.node.pod.HelperPodConnector;
import io.k8scap.node.pod.HelperPods;
import io.k8scap.node.ssh.SshConnector;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The one way commands open a node session: over SSH, through a helper pod, or SSH and else a helper
 * pod ({@code --via ssh|pod|auto}); {@code debug --via node} asks for SSH. It sits above both
 * transports ({@code node.ssh}, {@code node.pod}), which know nothing of each other.
 *
 * <p>{@code auto} tries SSH for real (the same connect, host-key check and login {@code --via ssh}
 * does) and falls back to a helper pod only when the node cannot be reached by SSH at all:
 * UNAVAILABLE (refused, unreachable, timed out). A host key that is unknown or changed (CONFIG) or a
 * refused login (DENIED) is reported, never worked around: the first may be a man-in-the-middle,
 * the second a key the user must fix, and neither should silently turn into a privileged pod in
 * the cluster ({@code --via pod} does that on purpose). The reason is printed: {@code using a helper pod on node X (no SSH: …); it is removed
 * when the command ends}. A refused port costs milliseconds; a filtered one costs the SSH timeout
 * ({@code --ssh-timeout}) — pass {@code --via pod} where nodes have no SSH at all.
 */
public final class NodeAccess {
    /** Opens an SSH session to a node ({@link SshConnector#open}). */
    @FunctionalInterface
    public interface SshOpener {
        NodeSession open(NodeTarget node);
    }

    static final Set<ExitCode> FALL_BACK_ON = Set.of(ExitCode.UNAVAILABLE);

    private final SshOpener ssh;
    private final HelperPodConnector pods;
    private final Consumer<String> notices;

    /**
     * @param verbose as {@link SshConnector}'s (JSch's log on stderr)
     */
    public NodeAccess(KubernetesClient client, NodeAccessSettings sshSettings, PodAccessSettings podSettings,
                             Consumer<String> notices, boolean verbose) {
        this(lazySsh(sshSettings, notices, verbose), new HelperPodConnector(client, podSettings, notices), notices);
    }

    /** The SshConnector is built on first use: its ssh-config checks must not fail a --via pod run. */
    private static SshOpener lazySsh(NodeAccessSettings settings, Consumer<String> notices, boolean verbose) {
        return new SshOpener() {
            private SshConnector connector;

            private synchronized SshConnector connector() {
                if (connector == null) {
                    connector = new SshConnector(settings, notices, verbose);
                }
                return connector;
            }

            @Override
            public NodeSession open(NodeTarget node) {
                return connector().open(node); // nodes connect in parallel
            }
        };
    }

    public NodeAccess(SshOpener ssh, HelperPodConnector pods, Consumer<String> notices) {
        this.ssh = ssh;
        this.pods = pods;
        this.notices = notices;
    }

    public HelperPodConnector pods() {
        return pods;
    }

    /**
     * Opens a session to {@code node}.
     *
     * @param targetNamespace the namespace of the pod being diagnosed: where the helper pod goes
     *                        unless {@code --helper-namespace} says otherwise
     */
    public NodeSession open(NodeTarget node, ViaMode via, String targetNamespace) {
        switch (via) {
            case SSH:
                return ssh.open(node);
            case POD:
                return pods.open(node, targetNamespace);
            case AUTO:
            default:
                break;
        }
        K8sCapException sshFailure;
        try {
            return ssh.open(node);
        } catch (K8sCapException e) {
            if (!FALL_BACK_ON.contains(e.exitCode())) {
                throw e;
            }
            sshFailure = e;
        }
        String reason = HelperPods.oneLine(String.valueOf(sshFailure.getMessage()));
        if (reason.length() > 160) {
            reason = reason.substring(0, 159) + "…";
        }
        notices.accept("using a helper pod on node " + node.name() + " (no SSH: " + reason + "); it is removed when the command ends");
        try {
            return pods.open(node, targetNamespace);
        } catch (K8sCapException e) {
            throw new K8sCapException(e.exitCode(), e.getMessage() + " (and SSH did not work: " + reason + ")", e);
        }
    }
}
