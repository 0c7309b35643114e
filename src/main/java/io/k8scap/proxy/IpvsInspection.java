package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** IPVS mode: virtual servers, kube-ipvs0 bindings and the KUBE-CLUSTER-IP ipset checked against the API. */
final class IpvsInspection implements Inspection {
    static final String COMPARISON = "IPVS finds the virtual server with one hash lookup; iptables mode would compare a first packet"
            + " with the KUBE-SERVICES rules one by one";

    private final ApiSnapshot api;
    private final List<IpvsVirtualServer> servers;
    private final Map<String, IpvsVirtualServer> byKey = new HashMap<>();
    private final KubeIpvs0 dummy;
    private final Map<String, IpsetSet> ipsets;
    private final IptablesSave iptables;
    private final DataplaneView view;

    IpvsInspection(IpvsInput input, ApiSnapshot api) {
        this.api = api;
        this.servers = IpvsadmParser.parse(input.ipvsadm() == null ? "" : input.ipvsadm());
        for (IpvsVirtualServer vs : servers) {
            byKey.put(vs.key(), vs);
        }
        this.dummy = input.kubeIpvs0() == null ? null : KubeIpvs0.parse(input.kubeIpvs0());
        this.ipsets = input.ipsetList() == null ? null : IpsetParser.parse(input.ipsetList());
        this.iptables = input.iptablesSave() == null ? null : IptablesSaveParser.parse(input.iptablesSave());
        this.view = check();
    }

    @Override
    public DataplaneView view() {
        return view;
    }

    private static String key(String proto, String ip, int port) {
        return proto + " " + ChainNames.endpoint(ip, port);
    }

    private String clusterIpSet() {
        return api.family() == IpFamily.IPV4 ? "KUBE-CLUSTER-IP" : "KUBE-6-CLUSTER-IP";
    }

    private DataplaneView check() {
        List<Finding> findings = new ArrayList<>();
        List<ServiceView> views = new ArrayList<>();
        Set<String> known = new HashSet<>();
        Map<String, Set<Integer>> nodePorts = new HashMap<>();
        Set<String> unbound = new java.util.LinkedHashSet<>();
        int programmed = 0;
        IpsetSet clusterIps = ipsets == null ? null : ipsets.get(clusterIpSet());
        Set<String> clusterIpMembers = clusterIps == null ? Set.of() : new HashSet<>(clusterIps.members());
        for (ServicePortSpec port : api.ports()) {
            String spn = port.spn();
            String proto = port.protocol();
            List<EndpointSpec> expected = port.internalTrafficLocal() ? port.localEndpoints() : port.clusterEndpoints();
            boolean checkBackends = !port.internalTrafficLocal() || api.nodeName() != null;
            List<FrontendView> frontends = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            List<IpvsVirtualServer> present = new ArrayList<>();
            Set<String> missingIps = new HashSet<>();
            Map<String, String> addresses = new LinkedHashMap<>();
            port.clusterIPs().forEach(ip -> addresses.put(ip, "cluster-ip"));
            port.externalIPs().forEach(ip -> addresses.putIfAbsent(ip, "external-ip"));
            port.loadBalancerIPs().forEach(ip -> addresses.putIfAbsent(ip, "load-balancer"));
            for (Map.Entry<String, String> a : addresses.entrySet()) {
                String k = key(proto, a.getKey(), port.port());
                known.add(k);
                IpvsVirtualServer vs = byKey.get(k);
                frontends.add(new FrontendView(a.getValue(), a.getKey(), port.port(), vs == null ? null : vs.key()));
                boolean isBound = dummy == null || dummy.addresses().contains(a.getKey());
                if (vs == null) {
                    missing.add(a.getValue().replace('-', ' ') + " " + ChainNames.endpoint(a.getKey(), port.port())
                            + (isBound ? "" : " (nor bound on kube-ipvs0)"));
                    missingIps.add(a.getKey());
                } else {
                    present.add(vs);
                    if (!isBound) {
                        unbound.add(a.getKey() + "\u0000" + spn);
                    }
                }
            }
            if (port.nodePort() != null) {
                nodePorts.computeIfAbsent(proto, p -> new HashSet<>()).add(port.nodePort());
                List<IpvsVirtualServer> np = servers.stream().filter(v -> v.protocol().equals(proto) && v.port() == port.nodePort()
                        && !addresses.containsKey(v.address())).toList();
                if (np.isEmpty()) {
                    frontends.add(new FrontendView("node-port", null, port.nodePort(), null));
                    missing.add("NodePort " + port.nodePort());
                }
                for (IpvsVirtualServer v : np) {
                    frontends.add(new FrontendView("node-port", v.address(), port.nodePort(), v.key()));
                    present.add(v);
                }
            }
            if (!missing.isEmpty()) {
                findings.add(Finding.of(Finding.Kind.MISSING_SERVICE, spn, "no IPVS virtual server for " + String.join(", ", missing)));
            }
            if (ipsets != null) {
                for (String ip : port.clusterIPs()) {
                    if (!missingIps.contains(ip) && !clusterIpMembers.contains(IpsetSet.ipPortEntry(ip, proto, port.port()))) {
                        findings.add(Finding.of(Finding.Kind.IPSET_ENTRY_MISSING, spn, clusterIpSet() + " has no entry "
                                + IpsetSet.ipPortEntry(ip, proto, port.port())));
                    }
                }
            }
            Set<String> usable = new HashSet<>();
            expected.forEach(e -> usable.add(e.endpoint()));
            List<BackendView> backends = new ArrayList<>();
            Set<String> reportedStale = new HashSet<>();
            Set<String> reportedMissing = new HashSet<>();
            for (int i = 0; i < present.size(); i++) {
                IpvsVirtualServer vs = present.get(i);
                int total = vs.realServers().stream().mapToInt(r -> r.weight() == null ? 1 : r.weight()).sum();
                Set<String> seen = new HashSet<>();
                for (IpvsRealServer rs : vs.realServers()) {
                    seen.add(rs.endpoint());
                    boolean inApi = usable.contains(rs.endpoint());
                    int w = rs.weight() == null ? 1 : rs.weight();
                    if (i == 0) {
                        backends.add(new BackendView(rs.endpoint(), null, null, total == 0 ? 0 : (double) w / total, rs.weight(), null, inApi));
                    }
                    if (!inApi && w > 0 && checkBackends && reportedStale.add(rs.endpoint())) {
                        findings.add(Finding.of(Finding.Kind.STALE_BACKEND, spn, vs.key() + " forwards to " + rs.endpoint() + " (weight " + w
                                + "), not a ready endpoint in the EndpointSlices"));
                    }
                }
                if (checkBackends) {
                    for (EndpointSpec e : expected) {
                        if (!seen.contains(e.endpoint()) && reportedMissing.add(e.endpoint())) {
                            findings.add(Finding.of(Finding.Kind.MISSING_BACKEND, spn, vs.key() + " has no real server " + e.endpoint()));
                        }
                    }
                }
            }
            IpvsVirtualServer main = present.isEmpty() ? null : present.get(0);
            if (main != null) {
                programmed++;
            }
            views.add(new ServiceView(port.service(), port.portName(), spn, port.proto(), port.port(), main == null ? null : main.key(),
                    main == null ? null : main.scheduler(), port.sessionAffinity(), expected.size(), false, frontends, backends));
        }
        Set<String> unboundIps = new HashSet<>();
        for (String u : unbound) {
            String ip = u.substring(0, u.indexOf('\u0000'));
            if (unboundIps.add(ip)) {
                findings.add(Finding.of(Finding.Kind.ADDRESS_NOT_BOUND, u.substring(u.indexOf('\u0000') + 1),
                        ip + " is not bound on kube-ipvs0" + (dummy.exists() ? "" : " (kube-ipvs0 does not exist)")));
            }
        }
        for (IpvsVirtualServer vs : servers) {
            if (vs.protocol().equals("FWM") || vs.ipv6() != (api.family() == IpFamily.IPV6) || known.contains(vs.key())
                    || nodePorts.getOrDefault(vs.protocol(), Set.of()).contains(vs.port())) {
                continue;
            }
            findings.add(Finding.of(Finding.Kind.STALE_SERVICE, vs.key(), "IPVS virtual server " + vs.key() + " with "
                    + vs.realServers().size() + " real server(s) belongs to no API service port"));
        }
        return new DataplaneView(ProxyMode.IPVS, api.family(), api.ports().size(), programmed,
                iptables == null ? null : iptables.table("nat").ruleCount(), null, servers.size(), List.copyOf(views), List.copyOf(findings));
    }

    @Override
    public List<TraceView> trace(String namespace, String name, String port) {
        List<TraceView> traces = new ArrayList<>();
        for (ServicePortSpec sp : api.find(namespace, name, port)) {
            List<TraceStep> steps = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            String ip = sp.clusterIPs().get(0);
            Integer kubeServices = null;
            if (iptables != null) {
                IptablesChain chain = iptables.table("nat").chain("KUBE-SERVICES");
                if (chain != null) {
                    kubeServices = chain.rules().size();
                    for (IptablesRule r : chain.rules()) {
                        if (clusterIpSet().equals(r.matchSet())) {
                            steps.add(new TraceStep("nat", r.chain(), r.number(), r.text(), null, null, null, r.target()));
                            break;
                        }
                    }
                }
            }
            IpvsVirtualServer vs = byKey.get(key(sp.protocol(), ip, sp.port()));
            if (vs == null) {
                notes.add("no IPVS virtual server for " + sp.protocol() + " " + ChainNames.endpoint(ip, sp.port()));
            } else {
                StringBuilder match = new StringBuilder(vs.key());
                if (vs.scheduler() != null) {
                    match.append(' ').append(vs.scheduler());
                }
                if (vs.persistent() != null) {
                    match.append(" persistent ").append(vs.persistent());
                }
                steps.add(new TraceStep("ipvs", vs.key(), null, match.toString(), null, null, null, vs.realServers().size() + " real server(s)"));
                for (IpvsRealServer rs : vs.realServers()) {
                    steps.add(new TraceStep("ipvs", vs.key(), null, "-> " + rs.endpoint() + (rs.forward() == null ? "" : " " + rs.forward()),
                            null, rs.weight(), null, rs.endpoint()));
                    if (rs.weight() != null && rs.weight() == 0) {
                        notes.add(rs.endpoint() + " has weight 0: a terminating endpoint being drained, no new connections");
                    }
                }
                if (vs.realServers().isEmpty()) {
                    notes.add("the virtual server has no real servers: new connections are dropped");
                }
            }
            if (dummy != null && !dummy.addresses().contains(ip)) {
                notes.add(ip + " is not bound on kube-ipvs0: packets to it are not accepted locally");
            }
            traces.add(new TraceView(sp.spn(), ProxyMode.IPVS, ChainNames.endpoint(ip, sp.port()) + "/" + sp.proto(), List.copyOf(steps), null,
                    kubeServices, COMPARISON, List.copyOf(notes)));
        }
        return traces;
    }
}
