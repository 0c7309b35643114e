package io.k8scap.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the API says kube-proxy should program on one node, for one IP family: every Service port with a
 * cluster IP of that family (ExternalName and headless Services get no rules) and its endpoints.
 */
public final class ApiSnapshot {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final IpFamily family;
    private final String nodeName;
    private final List<ServicePortSpec> ports;

    private ApiSnapshot(IpFamily family, String nodeName, List<ServicePortSpec> ports) {
        this.family = family;
        this.nodeName = nodeName;
        this.ports = List.copyOf(ports);
    }

    /**
     * @param nodeName the inspected node (for local traffic policies); null when unknown
     */
    public static ApiSnapshot of(List<Service> services, List<EndpointSlice> slices, IpFamily family, String nodeName) {
        Map<String, List<EndpointSlice>> byService = new HashMap<>();
        for (EndpointSlice slice : slices) {
            if (slice.getMetadata() == null || slice.getMetadata().getLabels() == null) {
                continue;
            }
            String svc = slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
            if (svc == null || !family.id().equals(slice.getAddressType())) {
                continue;
            }
            byService.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + svc, k -> new ArrayList<>()).add(slice);
        }
        List<ServicePortSpec> ports = new ArrayList<>();
        for (Service service : services) {
            ServiceSpec spec = service.getSpec();
            if (spec == null || "ExternalName".equals(spec.getType()) || spec.getPorts() == null) {
                continue;
            }
            List<String> clusterIPs = new ArrayList<>();
            List<String> ipsField = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                    : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
            for (String ip : ipsField) {
                if (!"None".equals(ip) && !ip.isEmpty() && family.matches(ip)) {
                    clusterIPs.add(ip);
                }
            }
            if (clusterIPs.isEmpty()) {
                continue;
            }
            String ns = service.getMetadata().getNamespace();
            String name = service.getMetadata().getName();
            List<String> externalIPs = onlyFamily(spec.getExternalIPs(), family);
            List<String> lbIPs = new ArrayList<>();
            if ("LoadBalancer".equals(spec.getType()) && service.getStatus() != null
                    && service.getStatus().getLoadBalancer() != null && service.getStatus().getLoadBalancer().getIngress() != null) {
                for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
                    if (ingress.getIp() != null && family.matches(ingress.getIp())) {
                        lbIPs.add(ingress.getIp());
                    }
                }
            }
            boolean nodePorts = "NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType());
            boolean affinity = "ClientIP".equals(spec.getSessionAffinity());
            boolean itpLocal = "Local".equals(spec.getInternalTrafficPolicy());
            boolean etpLocal = "Local".equals(spec.getExternalTrafficPolicy());
            boolean sourceRanges = spec.getLoadBalancerSourceRanges() != null && !spec.getLoadBalancerSourceRanges().isEmpty();
            List<EndpointSlice> svcSlices = byService.getOrDefault(ns + "/" + name, List.of());
            for (ServicePort sp : spec.getPorts()) {
                String portName = sp.getName() == null ? "" : sp.getName();
                String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
                List<EndpointSpec> all = endpoints(svcSlices, portName, protocol);
                List<EndpointSpec> cluster = usable(all);
                List<EndpointSpec> local = nodeName == null ? List.of()
                        : usable(all.stream().filter(e -> nodeName.equals(e.nodeName())).toList());
                Integer nodePort = nodePorts && sp.getNodePort() != null && sp.getNodePort() > 0 ? sp.getNodePort() : null;
                ports.add(new ServicePortSpec(ns, name, portName, protocol.toUpperCase(java.util.Locale.ROOT), sp.getPort(), nodePort,
                        List.copyOf(clusterIPs), externalIPs, List.copyOf(lbIPs), affinity, itpLocal, etpLocal, sourceRanges,
                        cluster, local, all));
            }
        }
        return new ApiSnapshot(family, nodeName, ports);
    }

    private static List<String> onlyFamily(List<String> ips, IpFamily family) {
        return ips == null ? List.of() : ips.stream().filter(family::matches).toList();
    }

    /** Endpoints of the slices for the slice port with the service port's name and protocol, deduplicated, sorted as kube-proxy sorts them. */
    private static List<EndpointSpec> endpoints(List<EndpointSlice> slices, String portName, String protocol) {
        Map<String, EndpointSpec> byEndpoint = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            Integer port = null;
            if (slice.getPorts() != null) {
                for (EndpointPort p : slice.getPorts()) {
                    String pn = p.getName() == null ? "" : p.getName();
                    String pp = p.getProtocol() == null ? "TCP" : p.getProtocol();
                    if (pn.equals(portName) && pp.equalsIgnoreCase(protocol) && p.getPort() != null) {
                        port = p.getPort();
                        break;
                    }
                }
            }
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint e : slice.getEndpoints()) {
                if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
                    continue;
                }
                EndpointConditions c = e.getConditions();
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null ? ready : c.getServing();
                boolean terminating = c != null && c.getTerminating() != null && c.getTerminating();
                EndpointSpec spec = new EndpointSpec(e.getAddresses().get(0), port, ready, serving, terminating, e.getNodeName());
                byEndpoint.putIfAbsent(spec.endpoint(), spec);
            }
        }
        List<EndpointSpec> list = new ArrayList<>(byEndpoint.values());
        list.sort(Comparator.comparing(EndpointSpec::endpoint));
        return List.copyOf(list);
    }

    /** kube-proxy's choice: ready endpoints; if none is ready, the ones that are serving while terminating. */
    static List<EndpointSpec> usable(List<EndpointSpec> all) {
        List<EndpointSpec> ready = all.stream().filter(EndpointSpec::ready).toList();
        return !ready.isEmpty() ? ready : all.stream().filter(e -> e.serving() && e.terminating()).toList();
    }

    public IpFamily family() {
        return family;
    }

    public String nodeName() {
        return nodeName;
    }

    public List<ServicePortSpec> ports() {
        return ports;
    }

    /** The ports of Service {@code ns/name}, only {@code portName} when it is not null. */
    public List<ServicePortSpec> find(String namespace, String name, String portName) {
        return ports.stream().filter(p -> p.namespace().equals(namespace) && p.name().equals(name)
                && (portName == null || Objects.equals(p.portName(), portName) || String.valueOf(p.port()).equals(portName))).toList();
    }
}
