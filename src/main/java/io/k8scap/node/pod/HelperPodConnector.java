package io.k8scap.node.pod;

import io.k8scap.node.PodAccessSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8scap.cluster.Preflight;
import io.k8scap.node.NodeTarget;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Opens {@link PodNodeSession}s: preflight (once per namespace), create the helper pod on the node,
 * wait for Running. One connector = one k8scap session id (label {@code k8scap.io/session}).
 * Thread-safe: nodes may be opened in parallel.
 */
public final class HelperPodConnector {
    private final KubernetesClient client;
    private final PodAccessSettings settings;
    private final HelperPods pods;
    private final Preflight preflight;
    private final String session;
    private final Set<String> checked = ConcurrentHashMap.newKeySet();

    public HelperPodConnector(KubernetesClient client, PodAccessSettings settings, Consumer<String> notices) {
        this(client, settings, new HelperPods(client, notices), HelperPods.newSessionId());
    }

    HelperPodConnector(KubernetesClient client, PodAccessSettings settings, HelperPods pods, String session) {
        this.client = client;
        this.settings = settings;
        this.pods = pods;
        this.preflight = new Preflight(client);
        this.session = session;
    }

    /** The session id every helper pod of this connector is labelled with. */
    public String session() {
        return session;
    }

    public PodAccessSettings settings() {
        return settings;
    }

    /** The namespace helper pods go to: --helper-namespace, else {@code targetNamespace}, else the client's. */
    public String namespaceFor(String targetNamespace) {
        if (settings.namespace() != null) {
            return settings.namespace();
        }
        return targetNamespace != null && !targetNamespace.isBlank() ? targetNamespace : client.getNamespace();
    }

    /**
     * Checks, creating nothing, that a helper pod for {@code node} would be allowed and admitted
     * ({@link Preflight#helperPod}: RBAC, PodSecurity, a server-side dry run of its real spec).
     *
     * @throws io.k8scap.K8sCapException DENIED saying what to change
     */
    public void preflight(NodeTarget node, String targetNamespace) {
        preflight.helperPod(HelperPods.spec(namespaceFor(targetNamespace), node.name(), session, settings, Instant.now()));
    }

    /**
     * Starts a helper pod on {@code node} and returns a session through it; closing the session
     * deletes the pod.
     *
     * @param targetNamespace the namespace of the pod being diagnosed (the default helper namespace)
     * @throws io.k8scap.K8sCapException DENIED (preflight), UNAVAILABLE (start), INTERRUPTED
     */
    public PodNodeSession open(NodeTarget node, String targetNamespace) {
        String ns = namespaceFor(targetNamespace);
        if (!checked.contains(ns)) {
            preflight(node, targetNamespace);
            checked.add(ns);
        }
        HelperPod helper = pods.start(ns, node.name(), session, settings);
        return new PodNodeSession(client, pods, helper, node, settings);
    }
}
