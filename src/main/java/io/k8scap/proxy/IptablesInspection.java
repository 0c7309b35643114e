package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * iptables mode: kube-proxy's nat and filter rules from one iptables-save dump, mapped to the API's service
 * ports by recomputing chain names, and checked for drift.
 */
final class IptablesInspection implements Inspection {
    static final String COMPARISON = "IPVS and nftables find the service with one hash lookup (IPVS table / @service-ips verdict map),"
            + " whatever the number of services";
    private static final String[] SERVICE_PREFIXES = {"KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-XLB-"};

    private final IptablesSave save;
    private final ApiSnapshot api;
    private final IptablesTable nat;
    /** Chain name → (port, role) for every KUBE-SVC/SVL/EXT/FW/XLB name the API implies. */
    private final Map<String, ServicePortSpec> serviceChains = new HashMap<>();
    /** KUBE-SEP name → endpoint for every endpoint (any condition) of every port. */
    private final Map<String, EndpointSpec> sepEndpoints = new HashMap<>();
    private final Map<String, ServicePortSpec> sepPorts = new HashMap<>();
    private final Map<String, List<IptablesRule>> frontendRulesByTarget = new HashMap<>();
    private final Set<String> referenced = new HashSet<>();
    private final Set<String> rejects = new HashSet<>();
    private DataplaneView view;

    IptablesInspection(IptablesSave save, ApiSnapshot api) {
        this.save = save;
        this.api = api;
        this.nat = save.table("nat");
        index();
        this.view = check();
    }

    @Override
    public DataplaneView view() {
        return view;
    }

    private void index() {
        for (ServicePortSpec port : api.ports()) {
            String spn = port.spn();
            String proto = port.proto();
            String hash = ChainNames.hash16(spn + proto);
            for (String prefix : SERVICE_PREFIXES) {
                serviceChains.put(prefix + hash, port);
            }
            for (EndpointSpec e : port.allEndpoints()) {
                String sep = ChainNames.sep(spn, proto, e.endpoint());
                sepEndpoints.put(sep, e);
                sepPorts.put(sep, port);
            }
        }
        for (IptablesChain chain : nat.chains().values()) {
            boolean frontendChain = chain.name().equals("KUBE-SERVICES") || chain.name().equals("KUBE-NODEPORTS");
            for (IptablesRule rule : chain.rules()) {
                if (rule.target() != null) {
                    referenced.add(rule.target());
                    if (frontendChain) {
                        frontendRulesByTarget.computeIfAbsent(rule.target(), k -> new ArrayList<>(2)).add(rule);
                    }
                }
            }
        }
        IptablesChain filterServices = save.table("filter").chain("KUBE-SERVICES");
        if (filterServices != null) {
            for (IptablesRule rule : filterServices.rules()) {
                if ("REJECT".equals(rule.target()) && rule.destination() != null) {
                    rejects.add(rejectKey(rule.destination(), rule.protocol(), rule.dport()));
                }
            }
        }
    }

    private static String rejectKey(String ip, String proto, Object port) {
        return ip + "|" + (proto == null ? "" : proto.toLowerCase(java.util.Locale.ROOT)) + "|" + port;
    }

    private DataplaneView check() {
        List<Finding> findings = new ArrayList<>();
        List<ServiceView> services = new ArrayList<>();
        Set<String> explained = new HashSet<>();
        int programmed = 0;
        for (ServicePortSpec port : api.ports()) {
            String spn = port.spn();
            String hash = ChainNames.hash16(spn + port.proto());
            List<FrontendView> frontends = new ArrayList<>();
            List<String> missingFrontends = new ArrayList<>();
            List<EndpointSpec> usable = port.clusterEndpoints();
            String lbChain = port.internalTrafficLocal() ? "KUBE-SVL-" + hash : "KUBE-SVC-" + hash;
            for (String ip : port.clusterIPs()) {
                IptablesRule r = frontendRule(hash, ip, port.port(), false);
                frontends.add(new FrontendView("cluster-ip", ip, port.port(), r == null ? null : r.target()));
                if (r == null && !usable.isEmpty()) {
                    missingFrontends.add("cluster IP " + ChainNames.endpoint(ip, port.port()));
                }
            }
            for (String ip : port.externalIPs()) {
                IptablesRule r = frontendRule(hash, ip, port.port(), false);
                frontends.add(new FrontendView("external-ip", ip, port.port(), r == null ? null : r.target()));
                if (r == null && !usable.isEmpty()) {
                    missingFrontends.add("external IP " + ChainNames.endpoint(ip, port.port()));
                }
            }
            for (String ip : port.loadBalancerIPs()) {
                IptablesRule r = frontendRule(hash, ip, port.port(), false);
                frontends.add(new FrontendView("load-balancer", ip, port.port(), r == null ? null : r.target()));
                if (r == null && !usable.isEmpty()) {
                    missingFrontends.add("load-balancer IP " + ChainNames.endpoint(ip, port.port()));
                }
            }
            if (port.nodePort() != null) {
                IptablesRule r = frontendRule(hash, null, port.nodePort(), true);
                frontends.add(new FrontendView("node-port", null, port.nodePort(), r == null ? null : r.target()));
                if (r == null && !usable.isEmpty()) {
                    missingFrontends.add("NodePort " + port.nodePort());
                }
            }
            List<BackendView> backends = new ArrayList<>();
            boolean chainMissing = false;
            if (port.usesClusterChain()) {
                chainMissing |= checkChain(port, "KUBE-SVC-" + hash, port.clusterEndpoints(), backends, findings, explained);
            }
            if (port.usesLocalChain() && api.nodeName() != null) {
                List<BackendView> local = new ArrayList<>();
                boolean missing = checkChain(port, "KUBE-SVL-" + hash, port.localEndpoints(), local, findings, explained);
                chainMissing |= missing && !port.localEndpoints().isEmpty();
                if (port.internalTrafficLocal()) {
                    backends = local;
                }
            }
            if ((!missingFrontends.isEmpty() || chainMissing) && !usable.isEmpty()) {
                String detail = chainMissing && nat.chain(lbChain) == null
                        ? "no " + lbChain + " chain for " + usable.size() + " ready endpoint(s)"
                        : "no rule for " + String.join(", ", missingFrontends)
                                + (nat.chain(lbChain) != null ? " (" + lbChain + " exists but KUBE-SERVICES does not jump to it)" : "");
                findings.add(Finding.of(Finding.Kind.MISSING_SERVICE, spn, detail));
                explained.add(lbChain);
            }
            boolean rejected = false;
            for (String ip : port.clusterIPs()) {
                rejected |= rejects.contains(rejectKey(ip, port.proto(), port.port()));
            }
            if (rejected && !usable.isEmpty()) {
                findings.add(Finding.of(Finding.Kind.REJECT_WITH_ENDPOINTS, spn, "filter KUBE-SERVICES rejects "
                        + ChainNames.endpoint(port.clusterIPs().get(0), port.port()) + " (\"has no endpoints\") but the API has "
                        + usable.size() + " ready endpoint(s)"));
            } else if (!rejected && usable.isEmpty()) {
                findings.add(Finding.of(Finding.Kind.MISSING_REJECT, spn, "no endpoints in the API but no REJECT rule in filter KUBE-SERVICES for "
                        + ChainNames.endpoint(port.clusterIPs().get(0), port.port())));
            }
            if (nat.chain(lbChain) != null) {
                programmed++;
            }
            services.add(new ServiceView(port.service(), port.portName(), spn, port.proto(), port.port(),
                    nat.chain(lbChain) != null ? lbChain : null, null, port.sessionAffinity(), usable.size(), rejected, frontends, backends));
        }
        unknownChains(findings, explained);
        return new DataplaneView(ProxyMode.IPTABLES, api.family(), api.ports().size(), programmed, nat.ruleCount(), null, null,
                List.copyOf(services), List.copyOf(findings));
    }

    /** The rule in KUBE-SERVICES (or KUBE-NODEPORTS) that sends {@code ip:port} to one of the port's chains. */
    private IptablesRule frontendRule(String hash, String ip, int port, boolean nodePort) {
        for (String prefix : SERVICE_PREFIXES) {
            List<IptablesRule> rules = frontendRulesByTarget.get(prefix + hash);
            if (rules == null) {
                continue;
            }
            for (IptablesRule r : rules) {
                boolean inNodePorts = r.chain().equals("KUBE-NODEPORTS");
                if (inNodePorts == nodePort && (ip == null || ip.equals(r.destination()))
                        && (r.dport() == null || r.dport().equals(Integer.toString(port)))) {
                    return r;
                }
            }
        }
        return null;
    }

    /** Checks one load-balancing chain; returns true when it is missing although endpoints exist. */
    private boolean checkChain(ServicePortSpec port, String chainName, List<EndpointSpec> expected, List<BackendView> backends,
            List<Finding> findings, Set<String> explained) {
        IptablesChain chain = nat.chain(chainName);
        String spn = port.spn();
        if (chain == null) {
            return !expected.isEmpty();
        }
        List<IptablesRule> jumps = new ArrayList<>();
        for (IptablesRule r : chain.rules()) {
            if (r.target() != null && r.target().startsWith("KUBE-SEP-") && r.recent() == null) {
                jumps.add(r); // session-affinity rules (-m recent --rcheck) come first and are not load balancing
            }
        }
        List<Double> probabilities = new ArrayList<>(jumps.size());
        for (IptablesRule r : jumps) {
            probabilities.add(r.probability());
        }
        double[] shares = Endpoints.shares(probabilities);
        Set<String> seen = new HashSet<>();
        Set<String> usable = new HashSet<>();
        for (EndpointSpec e : expected) {
            usable.add(e.endpoint());
        }
        for (int i = 0; i < jumps.size(); i++) {
            IptablesRule jump = jumps.get(i);
            String sep = jump.target();
            EndpointSpec known = port.equals(sepPorts.get(sep)) ? sepEndpoints.get(sep) : null;
            IptablesRule dnat = dnatRule(sep);
            String dnatTo = dnat == null ? null : dnat.toDestination();
            String endpoint = known != null ? known.endpoint() : dnatTo;
            boolean inApi = known != null && usable.contains(known.endpoint());
            backends.add(new BackendView(endpoint, sep, jump.probability(), shares[i], null, null, inApi));
            if (known != null) {
                seen.add(known.endpoint());
            }
            if (!inApi) {
                String why = known == null ? "not in the EndpointSlices" : "not ready in the EndpointSlices";
                findings.add(Finding.of(Finding.Kind.STALE_BACKEND, spn, chainName + " rule " + jump.number() + " jumps to " + sep
                        + " (DNAT " + (dnatTo == null ? "?" : dnatTo) + "), endpoint " + why));
            }
            if (dnat != null && !Endpoints.validEndpoint(dnatTo)) {
                findings.add(Finding.of(Finding.Kind.MALFORMED_DNAT, spn, sep + " rule " + dnat.number() + ": -j DNAT --to-destination "
                        + (dnatTo.isEmpty() ? "(empty)" : dnatTo)));
            } else if (dnat != null && known != null && !known.endpoint().equals(dnatTo)) {
                findings.add(Finding.of(Finding.Kind.MALFORMED_DNAT, spn, sep + " rule " + dnat.number() + " DNATs to " + dnatTo
                        + " but the chain name is for endpoint " + known.endpoint()));
            }
        }
        for (EndpointSpec e : expected) {
            if (!seen.contains(e.endpoint())) {
                findings.add(Finding.of(Finding.Kind.MISSING_BACKEND, spn, chainName + " has no jump to "
                        + ChainNames.sep(spn, port.proto(), e.endpoint()) + " for ready endpoint " + e.endpoint()));
            }
        }
        int wrong = Endpoints.wrongProbability(probabilities);
        if (wrong >= 0) {
            Double p = probabilities.get(wrong);
            String want = wrong == jumps.size() - 1 ? "none" : String.format(java.util.Locale.ROOT, "%.10f", 1.0 / (jumps.size() - wrong));
            findings.add(Finding.of(Finding.Kind.WRONG_PROBABILITY, spn, chainName + " rule " + jumps.get(wrong).number() + " (backend "
                    + (wrong + 1) + " of " + jumps.size() + ") has probability " + (p == null ? "none" : p) + ", expected " + want));
        }
        explained.add(chainName);
        return false;
    }

    private IptablesRule dnatRule(String sepChain) {
        IptablesChain chain = nat.chain(sepChain);
        if (chain == null) {
            return null;
        }
        for (IptablesRule r : chain.rules()) {
            if ("DNAT".equals(r.target())) {
                return r;
            }
        }
        return null;
    }

    /** Service chains the API does not explain (stale services) and kube-proxy chains nothing jumps to. */
    private void unknownChains(List<Finding> findings, Set<String> explained) {
        Map<String, String> staleByHash = new LinkedHashMap<>();
        for (IptablesChain chain : nat.chains().values()) {
            String name = chain.name();
            boolean serviceChain = isServiceChain(name);
            if (!serviceChain && !name.startsWith("KUBE-SEP-")) {
                continue;
            }
            if (!referenced.contains(name)) {
                if (!explained.contains(name)) {
                    findings.add(Finding.of(Finding.Kind.UNREFERENCED_CHAIN, name, "nat chain " + name + " with " + chain.rules().size()
                            + " rule(s) is not the target of any rule"));
                }
                continue;
            }
            if (serviceChain && !serviceChains.containsKey(name)) {
                List<IptablesRule> in = frontendRulesByTarget.get(name);
                if (in != null) {
                    String hash = name.substring(name.indexOf('-', 5) + 1);
                    String comment = in.get(0).comment();
                    staleByHash.putIfAbsent(hash, name + " (" + in.get(0).chain() + " rule " + in.get(0).number()
                            + (comment != null ? ", comment \"" + comment + "\"" : "") + ")");
                }
            }
        }
        staleByHash.forEach((hash, detail) -> findings.add(Finding.of(Finding.Kind.STALE_SERVICE, detail.substring(0, detail.indexOf(' ')),
                "no API service port hashes to " + detail)));
    }

    private static boolean isServiceChain(String name) {
        for (String prefix : SERVICE_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<TraceView> trace(String namespace, String name, String port) {
        List<TraceView> traces = new ArrayList<>();
        IptablesChain services = nat.chain("KUBE-SERVICES");
        int servicesRules = services == null ? 0 : services.rules().size();
        for (ServicePortSpec sp : api.find(namespace, name, port)) {
            String hash = ChainNames.hash16(sp.spn() + sp.proto());
            List<TraceStep> steps = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            String ip = sp.clusterIPs().get(0);
            Integer walked = null;
            IptablesRule entry = frontendRule(hash, ip, sp.port(), false);
            if (entry == null) {
                notes.add("nat KUBE-SERVICES has no rule for " + ChainNames.endpoint(ip, sp.port())
                        + (sp.clusterEndpoints().isEmpty() ? " (the service has no endpoints)" : ""));
                if (rejects.contains(rejectKey(ip, sp.proto(), sp.port()))) {
                    notes.add("filter KUBE-SERVICES rejects it (\"has no endpoints\")");
                }
            } else {
                walked = entry.number();
                steps.add(step("nat", entry, null));
                follow(entry.target(), hash, steps, new HashSet<>(), 0);
            }
            traces.add(new TraceView(sp.spn(), ProxyMode.IPTABLES, ChainNames.endpoint(ip, sp.port()) + "/" + sp.proto(), List.copyOf(steps),
                    walked, services == null ? null : servicesRules, COMPARISON, List.copyOf(notes)));
        }
        return traces;
    }

    private void follow(String chainName, String hash, List<TraceStep> steps, Set<String> visited, int depth) {
        IptablesChain chain = nat.chain(chainName);
        if (chain == null || !visited.add(chainName) || depth > 4) {
            return;
        }
        for (IptablesRule r : chain.rules()) {
            steps.add(step("nat", r, null));
        }
        for (IptablesRule r : chain.rules()) {
            String t = r.target();
            if (t != null && (t.startsWith("KUBE-SEP-") || t.endsWith(hash))) {
                follow(t, hash, steps, visited, depth + 1);
            }
        }
    }

    private static TraceStep step(String table, IptablesRule r, Integer weight) {
        String target = "DNAT".equals(r.target()) ? "DNAT " + r.toDestination() : r.target();
        return new TraceStep(table, r.chain(), r.number(), r.text(), r.probability(), weight, null, target);
    }
}
