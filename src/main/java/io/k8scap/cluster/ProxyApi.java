package io.k8scap.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8scap.K8sCapException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What proxy-inspect reads from the API: every Service and EndpointSlice (all namespaces), kube-proxy's
 * configured mode (ConfigMap kube-system/kube-proxy {@code config.conf} {@code mode:}, DaemonSet
 * kube-system/kube-proxy {@code --proxy-mode}) and its version (the DaemonSet's image tag), and the nodes
 * to inspect, and what tells of another service proxy ({@link OtherDataplanes}: cilium-config, Cilium/kube-router
 * agent pods, Windows nodes). The kube-proxy objects are optional: clusters name them differently, and a user may not
 * be allowed to read kube-system; their absence is a notice, never an error.
 */
public final class ProxyApi {
    static final String NAMESPACE = "kube-system";
    static final String NAME = "kube-proxy";
    private static final Pattern MODE_LINE = Pattern.compile("(?m)^mode:[ \\t]*[\"']?([A-Za-z]*)[\"']?[ \\t]*(#.*)?$");
    private static final Pattern MODE_ARG = Pattern.compile("^--proxy-mode(?:=(.*))?$");

    /**
     * @param configMode {@code mode:} of the ConfigMap's {@code config.conf}: "" when unset (iptables on Linux), null
     *     when there is no such ConfigMap or key
     * @param daemonSetMode {@code --proxy-mode} in the DaemonSet's container command/args, null when absent
     * @param kubeProxyVersion the DaemonSet image's tag (e.g. {@code v1.28.3}), null when unknown
     */
    public record State(List<Service> services, List<EndpointSlice> slices, String configMode, String daemonSetMode,
            String kubeProxyVersion, OtherDataplanes others) {
        public State(List<Service> services, List<EndpointSlice> slices, String configMode, String daemonSetMode, String kubeProxyVersion) {
            this(services, slices, configMode, daemonSetMode, kubeProxyVersion, OtherDataplanes.NONE);
        }
    }

    /**
     * What the API shows of service proxies other than kube-proxy.
     *
     * @param ciliumKubeProxyReplacement {@code kube-proxy-replacement} of ConfigMap kube-system/cilium-config
     *     ({@code true}, {@code false}, or the older {@code strict}/{@code partial}/{@code probe}/{@code disabled}); null without it
     * @param ciliumAgents node name → the Cilium agent pod (kube-system, {@code k8s-app=cilium}) running there
     * @param kubeRouterAgents node name → the kube-router pod (kube-system, {@code k8s-app=kube-router}) running there
     * @param windowsNodes nodes labelled {@code kubernetes.io/os=windows} or reporting {@code nodeInfo.operatingSystem: windows}
     */
    public record OtherDataplanes(String ciliumKubeProxyReplacement, Map<String, String> ciliumAgents, Map<String, String> kubeRouterAgents,
            Set<String> windowsNodes) {
        public static final OtherDataplanes NONE = new OtherDataplanes(null, Map.of(), Map.of(), Set.of());

        /** Whether cilium-config turns the replacement on (the newer {@code true} or the older {@code strict}). */
        public boolean ciliumReplacesKubeProxy() {
            return ciliumKubeProxyReplacement != null && Set.of("true", "strict").contains(ciliumKubeProxyReplacement.strip().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final KubernetesClient client;

    public ProxyApi(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** Reads Services and EndpointSlices (errors are fatal) and kube-proxy's objects (problems go to {@code notices}). */
    public State state(Consumer<String> notices) {
        List<Service> services;
        List<EndpointSlice> slices;
        try {
            services = client.services().inAnyNamespace().list().getItems();
        } catch (KubernetesClientException e) {
            throw KubeClients.fromApi(e, "list services -A", String.valueOf(client.getMasterUrl()));
        }
        try {
            slices = client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems();
        } catch (KubernetesClientException e) {
            throw KubeClients.fromApi(e, "list endpointslices.discovery.k8s.io -A", String.valueOf(client.getMasterUrl()));
        }
        String configMode = null;
        try {
            ConfigMap cm = client.configMaps().inNamespace(NAMESPACE).withName(NAME).get();
            if (cm != null && cm.getData() != null && cm.getData().get("config.conf") != null) {
                configMode = configMode(cm.getData().get("config.conf"));
            }
        } catch (KubernetesClientException e) {
            notices.accept("note: cannot read ConfigMap " + NAMESPACE + "/" + NAME + " (" + reason(e) + "); the mode comes from the nodes");
        }
        String dsMode = null;
        String version = null;
        try {
            DaemonSet ds = client.apps().daemonSets().inNamespace(NAMESPACE).withName(NAME).get();
            if (ds != null && ds.getSpec() != null && ds.getSpec().getTemplate() != null && ds.getSpec().getTemplate().getSpec() != null) {
                for (Container c : ds.getSpec().getTemplate().getSpec().getContainers()) {
                    List<String> words = new ArrayList<>();
                    if (c.getCommand() != null) {
                        words.addAll(c.getCommand());
                    }
                    if (c.getArgs() != null) {
                        words.addAll(c.getArgs());
                    }
                    String m = daemonSetMode(words);
                    dsMode = dsMode == null ? m : dsMode;
                    if (version == null) {
                        version = imageTag(c.getImage());
                    }
                }
            }
        } catch (KubernetesClientException e) {
            notices.accept("note: cannot read DaemonSet " + NAMESPACE + "/" + NAME + " (" + reason(e) + "); kube-proxy's version is unknown");
        }
        return new State(services, slices, configMode, dsMode, version, others(notices));
    }

    /** Cilium, kube-router and Windows nodes as the API shows them; unreadable objects are a notice, never an error. */
    private OtherDataplanes others(Consumer<String> notices) {
        String kpr = null;
        Map<String, String> cilium = new TreeMap<>();
        Map<String, String> kubeRouter = new TreeMap<>();
        Set<String> windows = new TreeSet<>();
        try {
            ConfigMap cm = client.configMaps().inNamespace(NAMESPACE).withName("cilium-config").get();
            if (cm != null && cm.getData() != null) {
                kpr = cm.getData().get("kube-proxy-replacement");
            }
            agents("cilium", cilium);
            agents("kube-router", kubeRouter);
        } catch (KubernetesClientException e) {
            notices.accept("note: cannot read Cilium/kube-router objects in " + NAMESPACE + " (" + reason(e) + "); a replacement of kube-proxy"
                    + " is told from the nodes only");
        }
        try {
            for (Node n : client.nodes().list().getItems()) {
                Map<String, String> labels = n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
                String os = n.getStatus() == null || n.getStatus().getNodeInfo() == null ? null : n.getStatus().getNodeInfo().getOperatingSystem();
                if ("windows".equals(labels.get("kubernetes.io/os")) || "windows".equals(os)) {
                    windows.add(n.getMetadata().getName());
                }
            }
        } catch (KubernetesClientException e) {
            notices.accept("note: cannot list nodes (" + reason(e) + "); Windows nodes are not told apart");
        }
        return new OtherDataplanes(kpr, Map.copyOf(cilium), Map.copyOf(kubeRouter), Set.copyOf(windows));
    }

    private void agents(String app, Map<String, String> byNode) {
        for (Pod p : client.pods().inNamespace(NAMESPACE).withLabel("k8s-app", app).list().getItems()) {
            if (p.getSpec() != null && p.getSpec().getNodeName() != null) {
                byNode.putIfAbsent(p.getSpec().getNodeName(), p.getMetadata().getName());
            }
        }
    }

    /**
     * The nodes to inspect: {@code names} (each must exist), else those matching {@code selector}, else all.
     *
     * @throws K8sCapException NOT_FOUND for an unknown node name, or when no node matches
     */
    public List<String> nodes(List<String> names, String selector) {
        String server = String.valueOf(client.getMasterUrl());
        if (names != null && !names.isEmpty()) {
            List<String> out = new ArrayList<>();
            for (String n : new LinkedHashSet<>(names)) {
                Node node;
                try {
                    node = client.nodes().withName(n).get();
                } catch (KubernetesClientException e) {
                    throw KubeClients.fromApi(e, "get nodes/" + n, server);
                }
                if (node == null) {
                    throw K8sCapException.notFound("node " + Text.safe(n) + " not found; see kubectl get nodes");
                }
                out.add(n);
            }
            return out;
        }
        List<Node> all;
        try {
            all = client.nodes().list().getItems();
        } catch (KubernetesClientException e) {
            throw KubeClients.fromApi(e, "list nodes", server);
        }
        List<LabelSelectors.Requirement> reqs = selector == null || selector.isBlank() ? List.of() : LabelSelectors.parse(selector);
        List<String> out = all.stream()
                .filter(n -> LabelSelectors.matches(reqs, n.getMetadata().getLabels() == null ? java.util.Map.of() : n.getMetadata().getLabels()))
                .map(n -> n.getMetadata().getName()).sorted().toList();
        if (out.isEmpty()) {
            throw K8sCapException.notFound(reqs.isEmpty() ? "the cluster has no nodes (kubectl get nodes)"
                    : "no node matches -l " + Text.safe(selector) + " (kubectl get nodes -l '" + Text.safe(selector) + "')");
        }
        return out;
    }

    /**
     * Checks that Service {@code ns/name} (and its {@code port}, a name or number, when not null) is in {@code state}
     * and has a cluster IP.
     *
     * @throws K8sCapException NOT_FOUND naming what is missing (and the ports the Service has)
     */
    public static void checkService(State state, String ns, String name, String port) {
        Service found = state.services().stream()
                .filter(s -> ns.equals(s.getMetadata().getNamespace()) && name.equals(s.getMetadata().getName())).findFirst()
                .orElseThrow(() -> K8sCapException.notFound("service " + Text.safe(ns) + "/" + Text.safe(name)
                        + " not found (kubectl get svc -n " + Text.safe(ns) + ")"));
        List<io.fabric8.kubernetes.api.model.ServicePort> ports = found.getSpec() == null || found.getSpec().getPorts() == null
                ? List.of() : found.getSpec().getPorts();
        if (port != null && ports.stream().noneMatch(p -> port.equals(p.getName()) || port.equals(String.valueOf(p.getPort())))) {
            List<String> have = ports.stream().map(p -> (p.getName() == null ? "" : p.getName() + "=") + p.getPort()).toList();
            throw K8sCapException.notFound("service " + Text.safe(ns) + "/" + Text.safe(name) + " has no port " + Text.safe(port)
                    + " (it has: " + String.join(", ", have) + ")");
        }
        String clusterIP = found.getSpec() == null ? null : found.getSpec().getClusterIP();
        if (clusterIP == null || clusterIP.isBlank() || "None".equals(clusterIP)) {
            throw K8sCapException.notFound("service " + Text.safe(ns) + "/" + Text.safe(name) + " has no cluster IP (headless or"
                    + " ExternalName): kube-proxy programs nothing for it");
        }
    }

    /** {@code mode:} of a KubeProxyConfiguration; "" when the key is there but empty or absent from a config file. */
    static String configMode(String configConf) {
        Matcher m = MODE_LINE.matcher(configConf);
        return m.find() ? m.group(1) : "";
    }

    /** {@code --proxy-mode=X} or {@code --proxy-mode X} among the words; null when absent. */
    static String daemonSetMode(List<String> words) {
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i) == null ? "" : words.get(i);
            // a shell command line in one word (command: [sh, -c, "kube-proxy --proxy-mode=ipvs ..."])
            for (String t : w.trim().split("\\s+")) {
                Matcher m = MODE_ARG.matcher(t);
                if (m.matches() && m.group(1) != null) {
                    return m.group(1).replaceAll("[\"']", "");
                }
            }
            if (w.equals("--proxy-mode") && i + 1 < words.size()) {
                return words.get(i + 1);
            }
        }
        return null;
    }

    /** {@code registry.k8s.io/kube-proxy:v1.28.3} → v1.28.3; null without a tag (or with only a digest). */
    static String imageTag(String image) {
        if (image == null) {
            return null;
        }
        String s = image;
        int at = s.indexOf('@');
        if (at >= 0) {
            s = s.substring(0, at);
        }
        int slash = s.lastIndexOf('/');
        int colon = s.lastIndexOf(':');
        return colon > slash ? s.substring(colon + 1) : null;
    }

    private static String reason(KubernetesClientException e) {
        return e.getCode() > 0 ? "HTTP " + e.getCode() : Text.safe(e.getMessage(), 100);
    }
}
