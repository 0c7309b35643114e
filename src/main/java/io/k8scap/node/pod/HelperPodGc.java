package io.k8scap.node.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8scap.cluster.KubeClients;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds and deletes helper pods a crashed k8scap left behind. A helper pod is stale when its
 * deadline (annotation {@code k8scap.io/deadline}, else creation + {@code activeDeadlineSeconds})
 * has passed, or when it has ended (phase Failed/Succeeded: the kubelet killed it at the deadline
 * and only the Pod object is left). A younger running helper belongs to a k8scap that may still be
 * working (its session cannot be seen from the API), so it is left alone; it is gone by its
 * deadline at the latest. Pods without both labels {@code app.kubernetes.io/managed-by=k8scap} and
 * {@code app.kubernetes.io/component=node-helper} are never touched.
 */
public final class HelperPodGc {
    /** A helper pod found, and whether gc may delete it. */
    public record Found(HelperPod pod, String phase, boolean stale) {}

    private final KubernetesClient client;

    public HelperPodGc(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Lists helper pods in {@code namespace} (null = all namespaces), oldest first.
     *
     * @throws io.k8scap.K8sCapException API failures, mapped as usual
     */
    public List<Found> find(String namespace, Instant now) {
        List<Pod> pods;
        try {
            pods = namespace == null
                    ? client.pods().inAnyNamespace().withLabelSelector(HelperPods.SELECTOR).list().getItems()
                    : client.pods().inNamespace(namespace).withLabelSelector(HelperPods.SELECTOR).list().getItems();
        } catch (KubernetesClientException e) {
            throw KubeClients.fromApi(e, "list pods " + (namespace == null ? "-A" : "-n " + namespace) + " -l " + HelperPods.SELECTOR);
        }
        List<Found> found = new ArrayList<>();
        for (Pod p : pods) {
            HelperPod h = HelperPods.describe(p);
            String phase = p.getStatus() == null || p.getStatus().getPhase() == null ? "" : p.getStatus().getPhase();
            found.add(new Found(h, phase, isStale(h, phase, now)));
        }
        found.sort(Comparator.comparing((Found f) -> f.pod().created() == null ? Instant.MIN : f.pod().created())
                .thenComparing(f -> f.pod().key()));
        return found;
    }

    static boolean isStale(HelperPod h, String phase, Instant now) {
        if (phase.equals("Failed") || phase.equals("Succeeded")) {
            return true;
        }
        return h.deadline() != null && !now.isBefore(h.deadline());
    }

    /** Deletes one helper pod; returns false when it was already gone. */
    public boolean delete(HelperPod h) {
        try {
            return !client.pods().inNamespace(h.namespace()).withName(h.name()).withGracePeriod(1).delete().isEmpty();
        } catch (KubernetesClientException e) {
            throw KubeClients.fromApi(e, "delete pods/" + h.name() + " -n " + h.namespace());
        }
    }
}
