package io.k8scap.node;

import java.time.Duration;
import java.util.Objects;

/**
 * How helper pods are made, as the user asked ({@code --helper-image}, {@code --helper-namespace}).
 *
 * @param image        the helper container's image; it must contain {@code sh} and {@code nsenter}
 *                     (and, for {@link Tools#HELPER_IMAGE}, {@code tcpdump} and iproute2's {@code ip})
 * @param namespace    where helper pods are created; null = the target pod's namespace (the caller decides)
 * @param lifetime     how long the helper may be needed (the command's duration); the pod's
 *                     {@code activeDeadlineSeconds} is this plus {@link #GRACE}, so a crashed k8scap
 *                     cannot leave it running for longer
 * @param startTimeout how long to wait for the helper to be Running before giving up
 * @param tools        whose tools node commands use: the node's ({@code nsenter -t 1 …}, the default)
 *                     or the helper image's
 */
public record PodAccessSettings(String image, String namespace, Duration lifetime, Duration startTimeout, Tools tools) {
    public static final String DEFAULT_IMAGE = "nicolaka/netshoot:v0.13";
    /** Added to {@link #lifetime} for {@code activeDeadlineSeconds}: start-up, clean stop, cleanup. */
    public static final Duration GRACE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);

    /** Whose tools a node command runs with. */
    public enum Tools {
        /**
         * The node's own: every command runs under {@code nsenter -t 1 -m -u -i -n -p -- sh -c …}, i.e.
         * in the node's mount, UTS, IPC, network and PID namespaces, exactly as over SSH (the node's
         * crictl/docker/ctr, its tcpdump if any).
         */
        NODE,
        /**
         * The helper image's: {@code sh -c …} in the helper container, which shares the node's network
         * and PID namespaces (hostNetwork, hostPID) but has its own filesystem. For nodes without
         * tcpdump (Container-Optimized OS, Bottlerocket); runtime CLIs are missing there, so locate
         * falls back to the /proc cgroup lookup.
         */
        HELPER_IMAGE
    }

    public PodAccessSettings {
        image = image == null || image.isBlank() ? DEFAULT_IMAGE : image;
        namespace = namespace == null || namespace.isBlank() ? null : namespace;
        lifetime = Objects.requireNonNullElse(lifetime, DEFAULT_LIFETIME);
        startTimeout = Objects.requireNonNullElse(startTimeout, DEFAULT_START_TIMEOUT);
        tools = Objects.requireNonNullElse(tools, Tools.NODE);
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("helper pod lifetime must be positive: " + lifetime);
        }
    }

    public static PodAccessSettings defaults() {
        return new PodAccessSettings(null, null, null, null, null);
    }

    public PodAccessSettings withLifetime(Duration d) {
        return new PodAccessSettings(image, namespace, d, startTimeout, tools);
    }

    public PodAccessSettings withNamespace(String ns) {
        return new PodAccessSettings(image, ns, lifetime, startTimeout, tools);
    }

    public PodAccessSettings withTools(Tools t) {
        return new PodAccessSettings(image, namespace, lifetime, startTimeout, t);
    }

    /** {@code activeDeadlineSeconds} of the helper pod. */
    public long activeDeadlineSeconds() {
        return lifetime.plus(GRACE).toSeconds();
    }
}
