package io.k8scap.node.pod;

import io.k8scap.node.PodAccessSettings;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.k8scap.node.NodeTarget;

/**
 * A separate JVM for {@link HelperPodSignalTest}: starts a helper pod against the API server at
 * args[0], prints READY, and waits to be killed by a signal.
 */
public final class HelperPodProcess {
    private HelperPodProcess() {}

    public static void main(String[] args) throws Exception {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(args[0]).withNamespace("diag").withRequestRetryBackoffLimit(0).build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        PodNodeSession s = new HelperPodConnector(client, PodAccessSettings.defaults(), System.err::println)
                .open(new NodeTarget("node-a", null), "diag");
        System.out.println("READY " + s.helperPod().name());
        System.out.flush();
        Thread.sleep(120_000);
        s.close();
    }
}
