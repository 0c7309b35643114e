package io.k8scap.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.k8scap.cluster.ProxyApi;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Service proxies other than kube-proxy, and what their presence (or the absence of any) means for the node and
 * for the Service asked about: Cilium's kube-proxy replacement (eBPF, no KUBE-* rules), kube-router's service proxy
 * (IPVS without kube-ipvs0), Windows nodes (winkernel: HNS load balancers). Pure: the node's {@code ip -o link show}
 * and the API's {@link ProxyApi.OtherDataplanes} in, sentences out.
 */
public final class OtherProxies {
    private OtherProxies() {
    }

    /** Device names in {@code ip -o link show} output ({@code 5: cilium_net@cilium_host: <…>} → cilium_net); empty for null. */
    public static Set<String> devices(String ipOLink) {
        Set<String> out = new LinkedHashSet<>();
        if (ipOLink == null) {
            return out;
        }
        for (String line : ipOLink.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon < 0 || !line.substring(0, colon).strip().matches("\\d+")) {
                continue;
            }
            String rest = line.substring(colon + 2);
            int end = rest.indexOf(':');
            String name = end < 0 ? rest : rest.substring(0, end);
            int at = name.indexOf('@');
            out.add((at < 0 ? name : name.substring(0, at)).strip());
        }
        return out;
    }

    /** What tells of Cilium on the node and in the API ("" when nothing does). */
    static String ciliumSigns(String node, Set<String> devices, ProxyApi.OtherDataplanes api) {
        List<String> signs = new ArrayList<>();
        if (api.ciliumKubeProxyReplacement() != null) {
            signs.add("cilium-config kube-proxy-replacement=" + api.ciliumKubeProxyReplacement().strip());
        }
        String agent = api.ciliumAgents().get(node);
        if (agent != null) {
            signs.add("agent pod kube-system/" + agent);
        }
        List<String> devs = devices.stream().filter(d -> d.startsWith("cilium_")).sorted().toList();
        if (!devs.isEmpty()) {
            signs.add(String.join(", ", devs) + " on the node");
        }
        return String.join("; ", signs);
    }

    /** The Service asked about, as a sentence's subject ("Service ns/name (cluster IP 10.96.0.10)"), or null without --service. */
    static String service(ProxyCollector.Request request, List<Service> services) {
        if (request.serviceName() == null) {
            return null;
        }
        String ip = services.stream()
                .filter(s -> request.serviceNamespace().equals(s.getMetadata().getNamespace()) && request.serviceName().equals(s.getMetadata().getName()))
                .map(s -> s.getSpec() == null ? null : s.getSpec().getClusterIP()).filter(x -> x != null).findFirst().orElse(null);
        return "Service " + request.serviceNamespace() + "/" + request.serviceName() + (ip == null ? "" : " (cluster IP " + ip + ")");
    }

    /**
     * Why a node without any kube-proxy rules (and no /proxyMode answer) cannot be inspected: Cilium replaces
     * kube-proxy there, or nothing translates Service addresses at all. Null when the API deploys kube-proxy
     * ({@code kubeProxyDeployed}: its ConfigMap or DaemonSet names a mode) and Cilium does not replace it: then its
     * rules are missing, which is drift (see {@link #rulesGone}).
     */
    static String noKubeProxy(String node, Set<String> devices, ProxyApi.OtherDataplanes api, ProxyCollector.Request request,
            List<Service> services, boolean kubeProxyDeployed) {
        String svc = service(request, services);
        boolean ciliumDevices = devices.stream().anyMatch(d -> d.equals("cilium_host") || d.equals("cilium_net"));
        if (ciliumDevices || api.ciliumReplacesKubeProxy()) {
            String agent = api.ciliumAgents().get(node);
            return "node " + node + " has no kube-proxy: Cilium's kube-proxy replacement load-balances Services there in eBPF ("
                    + ciliumSigns(node, devices, api) + "), so there are no KUBE-* chains, IPVS or nft rules to check"
                    + (svc == null ? "" : "; " + svc + " is translated by Cilium's service map, not by kube-proxy")
                    + "; see it with: kubectl -n kube-system exec " + (agent == null ? "CILIUM_AGENT_POD_ON_" + node : agent)
                    + " -- cilium-dbg service list";
        }
        if (kubeProxyDeployed) {
            return null;
        }
        return "node " + node + " has no service proxy that k8scap can see: no KUBE-* chains, no IPVS virtual servers, no nft table"
                + " kube-proxy, no Cilium devices, and nothing answers 127.0.0.1:10249"
                + (svc == null ? "; no Service's cluster IP is translated to an endpoint on this node"
                        : "; connections from this node (and its pods) to " + svc + " are not translated to any endpoint and time out")
                + "; is kube-proxy running there? kubectl -n kube-system get pods -o wide --field-selector spec.nodeName=" + node
                + " (or pass --mode if it runs in a mode whose rules are elsewhere)";
    }

    /** The note when kube-proxy is deployed but the node has none of its rules. */
    static String rulesGone(String node, ProxyCollector.Request request, List<Service> services) {
        String svc = service(request, services);
        return "the API deploys kube-proxy but node " + node + " has none of its rules (no KUBE-* chains, no IPVS, no nft table"
                + " kube-proxy) and nothing answers 127.0.0.1:10249: a flushed table kube-proxy never restored, or kube-proxy not"
                + " running there; every Service below is missing for that one reason"
                + (svc == null ? "" : ", and connections from this node to " + svc + " time out")
                + "; check kubectl -n kube-system get pods -o wide --field-selector spec.nodeName=" + node + " and restart kube-proxy";
    }

    /**
     * kube-router's service proxy: IPVS with its kube-dummy-if device and no kube-ipvs0. Null when the node does not
     * look like that.
     */
    static String kubeRouter(String node, Set<String> devices, ProxyApi.OtherDataplanes api, boolean kubeIpvs0) {
        if (kubeIpvs0 || !devices.contains("kube-dummy-if") && !api.kubeRouterAgents().containsKey(node)) {
            return null;
        }
        String pod = api.kubeRouterAgents().get(node);
        return "node " + node + " runs kube-router's service proxy (" + (devices.contains("kube-dummy-if") ? "kube-dummy-if on the node" : "")
                + (devices.contains("kube-dummy-if") && pod != null ? "; " : "") + (pod == null ? "" : "pod kube-system/" + pod)
                + "), not kube-proxy: its IPVS rules follow kube-router's own layout, which proxy-inspect does not check;"
                + " read them with ipvsadm -L -n on the node, or kubectl -n kube-system logs " + (pod == null ? "KUBE_ROUTER_POD" : pod);
    }

    /** A Cilium replacement next to kube-proxy's rules: which one answers. Null when Cilium does not replace kube-proxy here. */
    static String ciliumAlongside(String node, Set<String> devices, ProxyApi.OtherDataplanes api) {
        if (!api.ciliumReplacesKubeProxy()) {
            return null;
        }
        return "Cilium's kube-proxy replacement is on (" + ciliumSigns(node, devices, api) + ") yet the node also has kube-proxy rules:"
                + " Cilium's socket load-balancing translates Service addresses before they reach these rules, so drift below may not"
                + " matter; if kube-proxy was removed, they are leftovers (kube-proxy --cleanup on the node removes them)";
    }

    /** Windows nodes: not inspectable. */
    public static String windows(String node) {
        return "node " + node + " runs Windows: kube-proxy there uses the winkernel mode (HNS load balancers), which proxy-inspect cannot"
                + " read; on the node, run hnsdiag list loadbalancers (or Get-HnsPolicyList in PowerShell)";
    }
}
