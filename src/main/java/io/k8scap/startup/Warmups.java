package io.k8scap.startup;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8scap.cluster.KubeClients;
import io.k8scap.cluster.LeanReads;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The warm-ups of a connection being built ({@link KubeClients.Warmup}), each on a daemon thread
 * of its own so that it overlaps reading the kubeconfig, building the client and the first request.
 */
final class Warmups implements KubeClients.Warmup {
    /**
     * The client's JSON (de)serializer, made and warmed up on another thread: the first Pod or Node read
     * otherwise builds Jackson's deserializers for ≈ 200 model classes (≈ 0.1 s, LeanReads) on the critical
     * path, after the HTTP answer. Here that work overlaps reading the kubeconfig, building the
     * client and the request itself, using a sample pod and node shipped in the jar.
     */
    @Override
    public CompletableFuture<KubernetesSerialization> serialization() {
        CompletableFuture<KubernetesSerialization> made = new CompletableFuture<>();
        // Making the serializer (Jackson and fabric8's modules, ≈ 70 ms cold) overlaps reading the kubeconfig too.
        Thread t = new Thread(() -> {
            KubernetesSerialization serialization;
            try {
                serialization = new KubernetesSerialization(LeanReads.mapper(), true);
                made.complete(serialization);
            } catch (Throwable e) {
                made.completeExceptionally(e);
                return;
            }
            for (var sample : List.of(Map.entry("pod.json", Pod.class), Map.entry("node.json", Node.class))) {
                try (var in = Warmups.class.getResourceAsStream("samples/" + sample.getKey())) {
                    if (in != null) {
                        serialization.unmarshal(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), sample.getValue());
                    }
                } catch (IOException | RuntimeException e) {
                    // only a warm-up: the real answer is read the same way
                }
            }
        }, "k8scap-prime-json");
        t.setDaemon(true);
        t.start();
        return made;
    }

    /** An https client without a CA of its own reads the JDK's trusted CAs (cacerts): done on another thread meanwhile. */
    @Override
    public void jdkTrustStore() {
        Thread tls = new Thread(() -> {
            try {
                javax.net.ssl.SSLContext.getDefault();
            } catch (java.security.NoSuchAlgorithmException e) {
                // the client will say so itself
            }
        }, "k8scap-prime-tls");
        tls.setDaemon(true);
        tls.start();
    }
}
