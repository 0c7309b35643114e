package io.k8scap.node.pod;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The helper pods of this JVM that still exist, and the shutdown hook that deletes them when the JVM
 * ends on another path (Ctrl+C = SIGINT, SIGTERM, System.exit after an error). The hook is
 * registered while at least one helper pod exists and removed when the last one is deleted.
 */
public final class Reaper {
    private static final Map<HelperPod, KubernetesClient> LIVE = new LinkedHashMap<>();
    private static Thread hook;

    private Reaper() {}

    static synchronized void register(KubernetesClient client, HelperPod pod) {
        LIVE.put(pod, client);
        if (hook == null) {
            Thread h = new Thread(Reaper::reap, "k8scap-helper-pod-reaper");
            try {
                Runtime.getRuntime().addShutdownHook(h);
                hook = h;
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting: the caller's finally deletes the pod
            }
        }
    }

    static synchronized void forget(HelperPod pod) {
        LIVE.remove(pod);
        if (LIVE.isEmpty() && hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // running inside the hook itself
            }
            hook = null;
        }
    }

    /** The helper pods this JVM has not deleted yet (tests; the shutdown hook). */
    public static synchronized List<HelperPod> live() {
        return new ArrayList<>(LIVE.keySet());
    }

    /** Deletes every live helper pod now; what the shutdown hook runs. */
    static void reap() {
        Map<HelperPod, KubernetesClient> left;
        synchronized (Reaper.class) {
            left = new LinkedHashMap<>(LIVE);
        }
        for (Map.Entry<HelperPod, KubernetesClient> e : left.entrySet()) {
            HelperPod p = e.getKey();
            try {
                e.getValue().pods().inNamespace(p.namespace()).withName(p.name()).withGracePeriod(1).delete();
                System.err.println(HelperPods.oneLine("deleted helper pod " + p.key() + " on node " + p.node()));
            } catch (RuntimeException ex) {
                System.err.println(HelperPods.oneLine("could not delete helper pod " + p.key() + " on node " + p.node()
                        + "; it stops by itself at " + p.deadline() + ", and k8scap gc removes it after that"));
            }
            synchronized (Reaper.class) {
                LIVE.remove(p);
            }
        }
    }
}
