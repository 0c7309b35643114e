package io.k8scap.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What each address of the cluster is: a pod ({@code ns/name}), a Service's ClusterIP ({@code ns/name:port}), a
 * node ({@code node/NAME}); a pod IP that backs a Service port (an EndpointSlice endpoint) also carries the
 * Service. Read once from the API — one list each of pods, services, EndpointSlices and nodes, in all
 * namespaces — and kept for the run. A list the user may not read (403) or that fails leaves its kind unnamed and
 * says so in {@link #notes()}; nothing fails because of names.
 */
public final class ClusterAddresses {
    /** What an address is. */
    public enum Kind { POD, SERVICE, NODE }

    /**
     * @param name           {@code ns/name} (pod, Service) or the node's name
     * @param readyEndpoints for a Service: ready endpoints across its EndpointSlices (null when the slices could not be read)
     */
    public record Owner(Kind kind, String name, Integer readyEndpoints) {
    }

    private final Map<String, Owner> byAddress;
    /** ClusterIP → Service ports (port number → the Service port's name, or "" when unnamed). */
    private final Map<String, Map<Integer, String>> servicePorts;
    /** "podIP:port" → the Service ({@code ns/name:servicePort}) whose EndpointSlice lists it. */
    private final Map<String, String> backs;
    private final List<String> notes;

    private ClusterAddresses(Map<String, Owner> byAddress, Map<String, Map<Integer, String>> servicePorts,
                             Map<String, String> backs, List<String> notes) {
        this.byAddress = byAddress;
        this.servicePorts = servicePorts;
        this.backs = backs;
        this.notes = List.copyOf(notes);
    }

    /** Names nothing (no cluster). */
    public static ClusterAddresses none() {
        return new ClusterAddresses(Map.of(), Map.of(), Map.of(), List.of());
    }

    /** Reads pods, services, EndpointSlices and nodes, one list each, in all namespaces. */
    public static ClusterAddresses read(KubernetesClient client) {
        List<String> notes = new ArrayList<>();
        List<Pod> pods = list("pods", () -> client.pods().inAnyNamespace().list().getItems(), notes);
        List<Service> services = list("services", () -> client.services().inAnyNamespace().list().getItems(), notes);
        List<EndpointSlice> slices = list("endpointslices",
                () -> client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems(), notes);
        List<Node> nodes = list("nodes", () -> client.nodes().list().getItems(), notes);
        return of(pods, services, slices, nodes, notes);
    }

    private static <T> List<T> list(String what, Supplier<List<T>> read, List<String> notes) {
        try {
            return read.get();
        } catch (KubernetesClientException e) {
            notes.add("cannot list " + what + " in all namespaces (" + (e.getCode() > 0 ? "HTTP " + e.getCode() : e.getMessage())
                    + "): their addresses are not named");
            return null;
        }
    }

    /** From objects already read; {@code slices} null = unknown (readiness of Services not known). */
    public static ClusterAddresses of(List<Pod> pods, List<Service> services, List<EndpointSlice> slices, List<Node> nodes,
                                      List<String> notes) {
        Map<String, Owner> by = new HashMap<>();
        Map<String, Map<Integer, String>> ports = new HashMap<>();
        Map<String, String> backs = new HashMap<>();
        Map<String, Integer> ready = new HashMap<>();
        Map<String, Map<String, Integer>> targetToPort = new HashMap<>(); // ns/svc → port name → service port
        if (services != null) {
            for (Service s : services) {
                String key = s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
                Map<String, Integer> names = new LinkedHashMap<>();
                if (s.getSpec() != null && s.getSpec().getPorts() != null) {
                    for (ServicePort p : s.getSpec().getPorts()) {
                        names.put(p.getName() == null ? "" : p.getName(), p.getPort());
                    }
                }
                targetToPort.put(key, names);
            }
        }
        if (slices != null) {
            for (EndpointSlice es : slices) {
                String svc = es.getMetadata().getLabels() == null ? null : es.getMetadata().getLabels().get("kubernetes.io/service-name");
                if (svc == null) {
                    continue;
                }
                String key = es.getMetadata().getNamespace() + "/" + svc;
                for (Endpoint e : es.getEndpoints() == null ? List.<Endpoint>of() : es.getEndpoints()) {
                    boolean isReady = e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
                    if (isReady) {
                        ready.merge(key, e.getAddresses() == null ? 0 : e.getAddresses().size(), Integer::sum);
                    }
                    for (String a : e.getAddresses() == null ? List.<String>of() : e.getAddresses()) {
                        for (EndpointPort p : es.getPorts() == null ? List.<EndpointPort>of() : es.getPorts()) {
                            if (p.getPort() != null) {
                                Integer sp = targetToPort.getOrDefault(key, Map.of()).get(p.getName() == null ? "" : p.getName());
                                backs.putIfAbsent(canonical(a) + ":" + p.getPort(), key + (sp == null ? "" : ":" + sp));
                            }
                        }
                    }
                }
            }
        }
        if (nodes != null) {
            for (Node n : nodes) {
                if (n.getStatus() == null || n.getStatus().getAddresses() == null) {
                    continue;
                }
                for (NodeAddress a : n.getStatus().getAddresses()) {
                    if (a.getType() != null && a.getType().endsWith("IP")) {
                        by.putIfAbsent(canonical(a.getAddress()), new Owner(Kind.NODE, n.getMetadata().getName(), null));
                    }
                }
            }
        }
        if (pods != null) {
            for (Pod p : pods) {
                if (p.getStatus() == null || p.getSpec() != null && Boolean.TRUE.equals(p.getSpec().getHostNetwork())) {
                    continue; // a hostNetwork pod's address is its node's
                }
                String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
                List<String> ips = new ArrayList<>();
                if (p.getStatus().getPodIPs() != null) {
                    p.getStatus().getPodIPs().stream().map(PodIP::getIp).forEach(ips::add);
                }
                if (p.getStatus().getPodIP() != null) {
                    ips.add(p.getStatus().getPodIP());
                }
                boolean running = "Running".equals(p.getStatus().getPhase());
                for (String ip : ips) {
                    String c = canonical(ip);
                    Owner old = by.get(c);
                    // a finished pod's IP may have been given to a running one: the running pod wins
                    if (old == null || old.kind() == Kind.POD && running) {
                        by.put(c, new Owner(Kind.POD, key, null));
                    }
                }
            }
        }
        if (services != null) {
            for (Service s : services) {
                String key = s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
                List<String> ips = new ArrayList<>();
                if (s.getSpec() == null) {
                    continue;
                }
                if (s.getSpec().getClusterIPs() != null && !s.getSpec().getClusterIPs().isEmpty()) {
                    ips.addAll(s.getSpec().getClusterIPs());
                } else if (s.getSpec().getClusterIP() != null) {
                    ips.add(s.getSpec().getClusterIP());
                }
                Map<Integer, String> pp = new HashMap<>();
                targetToPort.getOrDefault(key, Map.of()).forEach((name, port) -> pp.put(port, name));
                for (String ip : ips) {
                    if (ip == null || ip.isEmpty() || "None".equals(ip)) {
                        continue;
                    }
                    String c = canonical(ip);
                    by.put(c, new Owner(Kind.SERVICE, key, slices == null ? null : ready.getOrDefault(key, 0)));
                    ports.put(c, pp);
                }
            }
        }
        return new ClusterAddresses(by, ports, backs, notes);
    }

    /** What {@code address} is, or null. */
    public Owner owner(String address) {
        return byAddress.get(canonical(address));
    }

    /**
     * The address's name for a report: {@code ns/pod}, {@code ns/pod (backs ns/svc:port)} for a pod IP and port an
     * EndpointSlice lists, {@code svc ns/name:port} for a ClusterIP, {@code node NAME}; null when unknown.
     */
    public String name(String address, int port) {
        String c = canonical(address);
        Owner o = byAddress.get(c);
        if (o == null) {
            return null;
        }
        return switch (o.kind()) {
            case POD -> {
                String svc = port > 0 ? backs.get(c + ":" + port) : null;
                yield o.name() + (svc == null ? "" : " (backs " + svc + ")");
            }
            case SERVICE -> "svc " + o.name() + (port > 0 && servicePorts.getOrDefault(c, Map.of()).containsKey(port) ? ":" + port : "");
            case NODE -> "node " + o.name();
        };
    }

    /** Every named address with its plain name (pod or Service {@code ns/name}, node name), for a pcapng NRB. */
    public Map<String, String> hostNames() {
        Map<String, String> m = new java.util.TreeMap<>();
        byAddress.forEach((a, o) -> m.put(a, o.name()));
        return m;
    }

    /** Lists that could not be read. */
    public List<String> notes() {
        return notes;
    }

    /** The address in one spelling (IPv6 as the JDK prints it, uncompressed), so that reports and API objects match. */
    static String canonical(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return address;
        }
        try {
            return InetAddress.getByName(address).getHostAddress(); // an IPv6 literal: parsed, never looked up
        } catch (UnknownHostException | RuntimeException e) {
            return address;
        }
    }
}
