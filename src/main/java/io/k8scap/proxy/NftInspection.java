package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** nftables mode: table kube-proxy's verdict maps, service and endpoint chains checked against the API. */
final class NftInspection implements Inspection {
    static final String COMPARISON = "nftables finds the service with one lookup in the @service-ips verdict map; iptables mode would"
            + " compare a first packet with the KUBE-SERVICES rules one by one";
    private static final String[] SERVICE_PREFIXES = {"service-", "local-", "external-", "firewall-"};

    private final NftTable table;
    private final ApiSnapshot api;
    private final Map<String, NftMapElement> serviceIps = new HashMap<>();
    private final Map<String, NftMapElement> nodePorts = new HashMap<>();
    private final Map<String, NftMapElement> noEndpoints = new HashMap<>();
    private final Set<String> referenced = new HashSet<>();
    private final DataplaneView view;

    NftInspection(NftTable table, ApiSnapshot api) {
        this.table = table;
        this.api = api;
        index("service-ips", serviceIps);
        index("service-nodeports", nodePorts);
        index("no-endpoint-services", noEndpoints);
        for (List<NftRule> rules : table.chains().values()) {
            for (NftRule r : rules) {
                referenced.addAll(r.targets());
            }
        }
        for (List<NftMapElement> elements : table.sets().values()) {
            for (NftMapElement e : elements) {
                if (e.target() != null) {
                    referenced.add(e.target());
                }
            }
        }
        this.view = check();
    }

    private void index(String map, Map<String, NftMapElement> into) {
        for (NftMapElement e : table.sets().getOrDefault(map, List.of())) {
            into.put(e.keyText(), e);
        }
    }

    @Override
    public DataplaneView view() {
        return view;
    }

    private static String key(String ip, String proto, int port) {
        return ip + " . " + proto + " . " + port;
    }

    private DataplaneView check() {
        List<Finding> findings = new ArrayList<>();
        List<ServiceView> views = new ArrayList<>();
        Set<String> expectedChains = new HashSet<>();
        Set<String> explained = new HashSet<>();
        int programmed = 0;
        for (ServicePortSpec port : api.ports()) {
            String spn = port.spn();
            String proto = port.proto();
            String base = ChainNames.nftServiceBase(port.namespace(), port.name(), proto, port.portName());
            for (String prefix : SERVICE_PREFIXES) {
                expectedChains.add(prefix + base);
            }
            List<EndpointSpec> usable = port.clusterEndpoints();
            String internal = (port.internalTrafficLocal() ? "local-" : "service-") + base;
            List<FrontendView> frontends = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            boolean rejected = false;
            for (String ip : port.clusterIPs()) {
                NftMapElement e = serviceIps.get(key(ip, proto, port.port()));
                frontends.add(new FrontendView("cluster-ip", ip, port.port(), e == null ? null : e.target()));
                rejected |= noEndpoints.containsKey(key(ip, proto, port.port()));
                if (!usable.isEmpty() && (e == null || !internal.equals(e.target()))) {
                    missing.add("@service-ips element " + key(ip, proto, port.port()) + (e == null ? "" : " goes to " + e.target()
                            + " instead of " + internal));
                }
            }
            for (String ip : port.externalIPs()) {
                NftMapElement e = serviceIps.get(key(ip, proto, port.port()));
                frontends.add(new FrontendView("external-ip", ip, port.port(), e == null ? null : e.target()));
                if (!usable.isEmpty() && e == null) {
                    missing.add("@service-ips element " + key(ip, proto, port.port()));
                }
            }
            for (String ip : port.loadBalancerIPs()) {
                NftMapElement e = serviceIps.get(key(ip, proto, port.port()));
                frontends.add(new FrontendView("load-balancer", ip, port.port(), e == null ? null : e.target()));
                if (!usable.isEmpty() && e == null) {
                    missing.add("@service-ips element " + key(ip, proto, port.port()));
                }
            }
            if (port.nodePort() != null) {
                NftMapElement e = nodePorts.get(proto + " . " + port.nodePort());
                frontends.add(new FrontendView("node-port", null, port.nodePort(), e == null ? null : e.target()));
                if (!usable.isEmpty() && e == null) {
                    missing.add("@service-nodeports element " + proto + " . " + port.nodePort());
                }
            }
            List<BackendView> backends = new ArrayList<>();
            boolean chainMissing = false;
            if (port.usesClusterChain()) {
                chainMissing |= checkChain(port, "service-" + base, port.clusterEndpoints(), port.internalTrafficLocal() ? null : backends, findings);
            }
            if (port.usesLocalChain() && api.nodeName() != null) {
                chainMissing |= checkChain(port, "local-" + base, port.localEndpoints(), port.internalTrafficLocal() ? backends : null, findings);
            }
            if (!usable.isEmpty() && (!missing.isEmpty() || chainMissing)) {
                explained.add(internal);
                findings.add(Finding.of(Finding.Kind.MISSING_SERVICE, spn, missing.isEmpty() ? "no chain " + internal + " for "
                        + usable.size() + " ready endpoint(s)" : "no " + String.join(", ", missing)));
            }
            if (rejected && !usable.isEmpty()) {
                findings.add(Finding.of(Finding.Kind.REJECT_WITH_ENDPOINTS, spn, "@no-endpoint-services has "
                        + key(port.clusterIPs().get(0), proto, port.port()) + " but the API has " + usable.size() + " ready endpoint(s)"));
            } else if (!rejected && usable.isEmpty()) {
                findings.add(Finding.of(Finding.Kind.MISSING_REJECT, spn, "no endpoints in the API but @no-endpoint-services has no element "
                        + key(port.clusterIPs().get(0), proto, port.port())));
            }
            if (table.chains().containsKey(internal)) {
                programmed++;
            }
            views.add(new ServiceView(port.service(), port.portName(), spn, proto, port.port(), table.chains().containsKey(internal) ? internal : null,
                    null, port.sessionAffinity(), usable.size(), rejected, frontends, backends));
        }
        List<String> stale = new ArrayList<>();
        for (NftMapElement e : serviceIps.values()) {
            if (e.target() != null && !expectedChains.contains(e.target())) {
                stale.add(e.target());
            }
        }
        for (NftMapElement e : nodePorts.values()) {
            if (e.target() != null && !expectedChains.contains(e.target())) {
                stale.add(e.target());
            }
        }
        stale.stream().distinct().sorted().forEach(t -> findings.add(Finding.of(Finding.Kind.STALE_SERVICE, t,
                "a verdict map sends traffic to " + t + ", which no API service port hashes to")));
        for (Map.Entry<String, List<NftRule>> c : table.chains().entrySet()) {
            String name = c.getKey();
            if ((isServiceChain(name) || name.startsWith("endpoint-")) && !referenced.contains(name) && !explained.contains(name)) {
                findings.add(Finding.of(Finding.Kind.UNREFERENCED_CHAIN, name, "chain " + name + " with " + c.getValue().size()
                        + " rule(s) is not the target of any rule or map"));
            }
        }
        return new DataplaneView(ProxyMode.NFTABLES, api.family(), api.ports().size(), programmed, null, table.ruleCount(), null,
                List.copyOf(views), List.copyOf(findings));
    }

    private static boolean isServiceChain(String name) {
        for (String p : SERVICE_PREFIXES) {
            if (name.startsWith(p) && name.length() > p.length() + 9 && name.charAt(p.length() + 8) == '-') {
                return true;
            }
        }
        return false;
    }

    /** Checks a service/local chain's numgen map; returns true when the chain is missing although endpoints exist. */
    private boolean checkChain(ServicePortSpec port, String chain, List<EndpointSpec> expected, List<BackendView> backends, List<Finding> findings) {
        List<NftRule> rules = table.chains().get(chain);
        String spn = port.spn();
        if (rules == null) {
            return !expected.isEmpty();
        }
        Map<String, EndpointSpec> byChain = new HashMap<>();
        for (EndpointSpec e : port.allEndpoints()) {
            byChain.put("endpoint-" + ChainNames.nftEndpointBase(port.namespace(), port.name(), port.proto(), port.portName(), e.ip(), e.port()), e);
        }
        Set<String> usable = new HashSet<>();
        expected.forEach(e -> usable.add(e.endpoint()));
        NftRule lb = rules.stream().filter(r -> r.numgenMod() != null).findFirst().orElse(null);
        Map<Integer, String> slots = lb != null ? lb.numgenSlots() : Map.of();
        Set<String> seen = new HashSet<>();
        if (lb != null) {
            int mod = lb.numgenMod();
            boolean contiguous = slots.size() == mod;
            for (int i = 0; i < mod && contiguous; i++) {
                contiguous = slots.containsKey(i);
            }
            if (!contiguous) {
                findings.add(Finding.of(Finding.Kind.WRONG_PROBABILITY, spn, chain + ": numgen random mod " + mod + " but the verdict map has slots "
                        + slots.keySet() + " (connections that draw a missing slot fall through)"));
            }
        }
        for (Map.Entry<Integer, String> s : slots.entrySet()) {
            String target = s.getValue();
            EndpointSpec known = byChain.get(target);
            NftRule dnat = dnatRule(target);
            String dnatTo = dnat == null ? null : dnatText(dnat);
            String endpoint = known != null ? known.endpoint() : dnatTo;
            boolean inApi = known != null && usable.contains(known.endpoint());
            if (backends != null) {
                backends.add(new BackendView(endpoint, target, null, slots.isEmpty() ? 0 : 1.0 / Math.max(lb.numgenMod(), slots.size()), null,
                        s.getKey(), inApi));
            }
            if (known != null) {
                seen.add(known.endpoint());
            }
            if (!inApi) {
                findings.add(Finding.of(Finding.Kind.STALE_BACKEND, spn, chain + " slot " + s.getKey() + " goes to " + target + " (dnat to "
                        + (dnatTo == null ? "?" : dnatTo) + "), endpoint " + (known == null ? "not in the EndpointSlices" : "not ready in the EndpointSlices")));
            }
            if (dnat != null && !Endpoints.validEndpoint(dnatTo)) {
                findings.add(Finding.of(Finding.Kind.MALFORMED_DNAT, spn, target + " handle " + dnat.handle() + ": " + dnat.text()));
            } else if (dnat != null && known != null && !known.endpoint().equals(dnatTo)) {
                findings.add(Finding.of(Finding.Kind.MALFORMED_DNAT, spn, target + " handle " + dnat.handle() + " DNATs to " + dnatTo
                        + " but the chain name is for endpoint " + known.endpoint()));
            }
        }
        for (EndpointSpec e : expected) {
            if (!seen.contains(e.endpoint())) {
                findings.add(Finding.of(Finding.Kind.MISSING_BACKEND, spn, chain + " has no slot for ready endpoint " + e.endpoint()));
            }
        }
        return false;
    }

    private NftRule dnatRule(String chain) {
        for (NftRule r : table.chains().getOrDefault(chain, List.of())) {
            if (r.text().contains("dnat to")) {
                return r;
            }
        }
        return null;
    }

    private static String dnatText(NftRule r) {
        if (r.dnatAddr() == null || r.dnatPort() == null) {
            return (r.dnatAddr() == null ? "" : r.dnatAddr()) + ":" + (r.dnatPort() == null ? "" : r.dnatPort());
        }
        return ChainNames.endpoint(r.dnatAddr(), r.dnatPort());
    }

    @Override
    public List<TraceView> trace(String namespace, String name, String port) {
        List<TraceView> traces = new ArrayList<>();
        for (ServicePortSpec sp : api.find(namespace, name, port)) {
            List<TraceStep> steps = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            String ip = sp.clusterIPs().get(0);
            String k = key(ip, sp.proto(), sp.port());
            for (NftRule r : table.chains().getOrDefault("services", List.of())) {
                if (r.text().contains("vmap @service-ips")) {
                    steps.add(new TraceStep(table.name(), "services", (int) r.handle(), r.text(), null, null, null, "@service-ips"));
                }
            }
            if (noEndpoints.containsKey(k)) {
                notes.add("@no-endpoint-services rejects " + k + " before NAT");
            }
            NftMapElement e = serviceIps.get(k);
            if (e == null) {
                notes.add("@service-ips has no element " + k);
            } else {
                steps.add(new TraceStep(table.name(), "@service-ips", null, k, null, null, null, e.verdict() + " " + e.target()));
                follow(e.target(), steps, new HashSet<>(), 0);
            }
            traces.add(new TraceView(sp.spn(), ProxyMode.NFTABLES, ChainNames.endpoint(ip, sp.port()) + "/" + sp.proto(), List.copyOf(steps), null,
                    null, COMPARISON, List.copyOf(notes)));
        }
        return traces;
    }

    private void follow(String chain, List<TraceStep> steps, Set<String> visited, int depth) {
        List<NftRule> rules = table.chains().get(chain);
        if (rules == null || !visited.add(chain) || depth > 4) {
            return;
        }
        for (NftRule r : rules) {
            if (r.numgenSlots() != null) {
                for (Map.Entry<Integer, String> s : r.numgenSlots().entrySet()) {
                    steps.add(new TraceStep(table.name(), chain, (int) r.handle(), r.text(), null, null, s.getKey(), "goto " + s.getValue()));
                }
            } else {
                String target = r.dnatAddr() != null || r.dnatPort() != null ? "dnat " + dnatText(r)
                        : r.targets().isEmpty() ? null : r.targets().get(r.targets().size() - 1);
                steps.add(new TraceStep(table.name(), chain, (int) r.handle(), r.text(), null, null, null, target));
            }
        }
        for (NftRule r : rules) {
            for (String t : r.targets()) {
                if (t.startsWith("endpoint-") || isServiceChain(t)) {
                    follow(t, steps, visited, depth + 1);
                }
            }
        }
    }
}
