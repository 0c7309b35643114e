package io.k8scap.lab;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one stand-in of the lab: fabric8's mock API server in CRUD mode on loopback, loaded with
 * Pod/Node (and owner workload) objects that describe the lab's real containers, plus a kubeconfig
 * pointing at it so k8scap runs exactly as a user runs it.
 */
public final class MockCluster implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final boolean https;

    private MockCluster(KubernetesMockServer server, boolean https) {
        this.server = server;
        this.client = server.createClient();
        this.https = https;
    }

    /** Only for {@link #loadLab(KubernetesClient, Lab)}: loads objects through someone else's client. */
    private MockCluster(KubernetesClient client) {
        this.server = null;
        this.client = client;
        this.https = false;
    }

    /**
     * Loads the lab's Node and Pods (with their owners), as {@link #loadLab(Lab)} does, into ANOTHER
     * API server stand-in reached by {@code client} (e.g. the helper-pod mock of
     * {@code io.k8scap.node.pod.HelperPodMock}, which also serves pods/exec).
     */
    public static void loadLab(KubernetesClient client, Lab lab) {
        new MockCluster(client).loadLab(lab);
    }

    public static MockCluster start() {
        return start(false);
    }

    /** With {@code https}, the server speaks TLS with a self-signed certificate (the kubeconfig skips verifying it). */
    public static MockCluster start(boolean https) {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), https);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return new MockCluster(server, https);
    }

    /** The last request the server received (method, path, protocol, headers). */
    public io.fabric8.mockwebserver.http.RecordedRequest lastRequest() throws InterruptedException {
        return server.getLastRequest();
    }

    public KubernetesClient client() {
        return client;
    }

    public String url() {
        return (https ? "https://" : "http://") + server.getHostName() + ":" + server.getPort();
    }

    /** Writes a kubeconfig for this server with {@code namespace} as the context's namespace. */
    public Path writeKubeconfig(Path dir, String namespace) throws IOException {
        Path f = dir.resolve("kubeconfig");
        Files.writeString(f, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: lab
                  cluster:
                    server: %s
                    insecure-skip-tls-verify: %s
                contexts:
                - name: lab
                  context:
                    cluster: lab
                    user: lab
                    namespace: %s
                current-context: lab
                users:
                - name: lab
                  user:
                    token: lab-token
                """.formatted(url(), https, namespace));
        return f;
    }

    /** Loads the Node and the Pods (with their owners) that describe what scripts/lab.sh built. */
    public MockCluster loadLab(Lab lab) {
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(Lab.NODE_NAME).endMetadata()
                .withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress(lab.sshAddress()).endAddress()
                .addNewAddress().withType("Hostname").withAddress(Lab.NODE_NAME).endAddress()
                .endStatus().build()).create();
        for (String key : lab.podKeys()) {
            addPod(lab.pod(key), lab.sshAddress());
        }
        return this;
    }

    /**
     * Loads the second lab node, {@code lab-node-2} (InternalIP = its address in netns k8scap-node2),
     * and its pods with their owners, from {@code node2.properties} in {@code lab}'s directory. Use
     * after {@link #loadLab(Lab)} for a two-node cluster.
     */
    public MockCluster loadNode2(Lab lab) {
        return loadNode2(Lab.node2(lab.labDir()));
    }

    /** {@link #loadNode2(Lab)} from an already loaded {@link Lab.Node2}. */
    public MockCluster loadNode2(Lab.Node2 node2) {
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(node2.name()).endMetadata()
                .withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress(node2.address()).endAddress()
                .addNewAddress().withType("Hostname").withAddress(node2.name()).endAddress()
                .endStatus().build()).create();
        for (String key : node2.podKeys()) {
            addPod(node2.pod(key), node2.address(), node2.name());
        }
        return this;
    }

    /** Creates a Running pod on the lab node for a lab pod, with its owner chain. */
    public void addPod(Lab.LabPod p, String hostIP) {
        addPod(p, hostIP, Lab.NODE_NAME);
    }

    /** Creates a Running pod on node {@code nodeName} for a lab pod, with its owner chain. */
    public void addPod(Lab.LabPod p, String hostIP, String nodeName) {
        Map<String, String> labels = labels(p.labels());
        OwnerReference owner = owner(p, labels);
        client.pods().inNamespace(p.namespace()).resource(new PodBuilder()
                .withNewMetadata().withName(p.name()).withNamespace(p.namespace()).withUid(p.uid())
                .withLabels(labels).withOwnerReferences(owner == null ? new OwnerReference[0] : new OwnerReference[] {owner})
                .endMetadata()
                .withNewSpec().withNodeName(nodeName).withHostNetwork(p.hostNetwork())
                .withContainers(new ContainerBuilder().withName(p.container()).withImage("k8scap-lab/busybox:latest").build())
                .endSpec()
                .withNewStatus().withPhase("Running").withHostIP(hostIP).withPodIP(p.podIP())
                .withContainerStatuses(new ContainerStatusBuilder().withName(p.container()).withContainerID(p.containerId())
                        .withReady(true).withImage("k8scap-lab/busybox:latest").withNewState().withNewRunning().endRunning().endState().build())
                .endStatus().build()).create();
    }

    /**
     * Creates the owner chain of a lab pod (a Deployment's ReplicaSet, a DaemonSet, a StatefulSet) and
     * returns the pod's owner reference. UIDs are the ones the server assigned (CRUD mode replaces
     * the client's), so ownership can be followed by UID as on a real cluster.
     */
    private OwnerReference owner(Lab.LabPod p, Map<String, String> labels) {
        if (p.owner().isBlank()) {
            return null;
        }
        String kind = p.owner().substring(0, p.owner().indexOf('/'));
        String name = p.owner().substring(p.owner().indexOf('/') + 1);
        var template = new PodTemplateSpecBuilder().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName(p.container()).withImage("k8scap-lab/busybox:latest").endContainer().endSpec().build();
        var selector = new LabelSelectorBuilder().withMatchLabels(labels).build();
        var ns = p.namespace();
        HasMetadata owner = switch (kind) {
            case "ReplicaSet" -> {
                // A Deployment's ReplicaSet is named <deployment>-<pod-template-hash>.
                String deployment = name.substring(0, name.lastIndexOf('-'));
                HasMetadata dep = getOrCreate(client.apps().deployments().inNamespace(ns).withName(deployment).get(),
                        () -> client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                                .withNewMetadata().withName(deployment).withNamespace(ns).endMetadata()
                                .withNewSpec().withSelector(selector).withTemplate(template).withReplicas(1).endSpec().build()).create());
                yield getOrCreate(client.apps().replicaSets().inNamespace(ns).withName(name).get(),
                        () -> client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder()
                                .withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
                                .withOwnerReferences(ref(dep)).endMetadata()
                                .withNewSpec().withSelector(selector).withTemplate(template).withReplicas(1).endSpec().build()).create());
            }
            case "DaemonSet" -> getOrCreate(client.apps().daemonSets().inNamespace(ns).withName(name).get(),
                    () -> client.apps().daemonSets().inNamespace(ns).resource(new DaemonSetBuilder()
                            .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                            .withNewSpec().withSelector(selector).withTemplate(template).endSpec().build()).create());
            case "StatefulSet" -> getOrCreate(client.apps().statefulSets().inNamespace(ns).withName(name).get(),
                    () -> client.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder()
                            .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                            .withNewSpec().withSelector(selector).withTemplate(template).withServiceName(name).endSpec().build()).create());
            default -> throw new IllegalArgumentException("lab owner kind " + kind + " is not modelled");
        };
        return ref(owner);
    }

    private static HasMetadata getOrCreate(HasMetadata existing, java.util.function.Supplier<HasMetadata> create) {
        return existing != null ? existing : create.get();
    }

    private static OwnerReference ref(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static Map<String, String> labels(String csv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : csv.split(",")) {
            int i = kv.indexOf('=');
            if (i > 0) {
                m.put(kv.substring(0, i).trim(), kv.substring(i + 1).trim());
            }
        }
        return m;
    }

    @Override
    public void close() {
        if (server == null) {
            return; // the client is the caller's
        }
        client.close();
        server.destroy();
    }
}
