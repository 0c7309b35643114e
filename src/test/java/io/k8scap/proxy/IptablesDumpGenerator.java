package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes what {@code iptables-save} prints on a node whose kube-proxy (iptables mode) programmed the given API
 * state: chain names from {@link ChainNames}, probabilities as the kernel stores and iptables-save prints them,
 * comments quoted only when they contain spaces, and kube-proxy's fixed chains. Test data, not product code.
 */
final class IptablesDumpGenerator {
    /**
     * @param counters {@code iptables-save -c}: {@code [pkts:bytes]} before each rule
     * @param decimals what kube-proxy wrote: 10 (1.17+) or 5 (older); iptables-save prints 11 either way
     * @param comments null = kube-proxy's rule (omitted on SEP rules and SVC→SEP jumps above 1000 endpoints)
     * @param legacy pre-1.24 layout: NodePorts jump to KUBE-SVC (or KUBE-XLB for Local), KUBE-MARK-DROP exists,
     *     SVC→SEP comments are just the spn
     */
    record Options(boolean counters, int decimals, Boolean comments, boolean legacy) {
        static Options modern() {
            return new Options(false, 10, null, false);
        }
    }

    private final ApiSnapshot api;
    private final Options options;
    private final String podCidr;

    IptablesDumpGenerator(ApiSnapshot api, Options options) {
        this.api = api;
        this.options = options;
        this.podCidr = api.family() == IpFamily.IPV4 ? "10.244.0.0/16" : "fd00:10:244::/64";
    }

    String generate() {
        int endpoints = 0;
        for (ServicePortSpec p : api.ports()) {
            endpoints += p.clusterEndpoints().size();
        }
        boolean comments = options.comments() != null ? options.comments() : endpoints <= 1000;
        StringBuilder filterRules = new StringBuilder(1 << 12);
        StringBuilder natRules = new StringBuilder(1 << 20);
        Set<String> natChains = new LinkedHashSet<>();
        List<String> servicesRules = new ArrayList<>();
        StringBuilder sepRules = new StringBuilder(1 << 20);
        StringBuilder svcRules = new StringBuilder(1 << 20);
        StringBuilder nodePortRules = new StringBuilder();
        for (ServicePortSpec p : api.ports()) {
            String spn = p.spn();
            String proto = p.proto();
            String ip = p.clusterIPs().get(0);
            List<EndpointSpec> eps = p.clusterEndpoints();
            if (eps.isEmpty()) {
                rule(filterRules, "KUBE-SERVICES", "-d " + host(ip) + " -p " + proto + " -m comment --comment " + q(spn + " has no endpoints")
                        + " -m " + proto + " --dport " + p.port() + " -j REJECT --reject-with " + reject());
                if (p.nodePort() != null) {
                    rule(filterRules, "KUBE-EXTERNAL-SERVICES", "-p " + proto + " -m comment --comment " + q(spn + " has no endpoints")
                            + " -m addrtype --dst-type LOCAL -m " + proto + " --dport " + p.nodePort() + " -j REJECT --reject-with " + reject());
                }
                continue;
            }
            String svc = ChainNames.svc(spn, proto);
            String svl = ChainNames.svl(spn, proto);
            String ext = ChainNames.ext(spn, proto);
            String xlb = ChainNames.xlb(spn, proto);
            String clusterChain = p.internalTrafficLocal() ? svl : svc;
            servicesRules.add("-d " + host(ip) + " -p " + proto + " -m comment --comment " + q(spn + " cluster IP") + " -m " + proto
                    + " --dport " + p.port() + " -j " + clusterChain);
            String externalTarget = options.legacy() ? (p.externalTrafficLocal() ? xlb : svc) : ext;
            for (String eip : p.externalIPs()) {
                servicesRules.add("-d " + host(eip) + " -p " + proto + " -m comment --comment " + q(spn + " external IP") + " -m " + proto
                        + " --dport " + p.port() + " -j " + externalTarget);
            }
            for (String lb : p.loadBalancerIPs()) {
                servicesRules.add("-d " + host(lb) + " -p " + proto + " -m comment --comment " + q(spn + " loadbalancer IP") + " -m " + proto
                        + " --dport " + p.port() + " -j " + externalTarget);
            }
            if (p.nodePort() != null) {
                rule(nodePortRules, "KUBE-NODEPORTS", "-p " + proto + " -m comment --comment " + q(spn) + " -m " + proto + " --dport "
                        + p.nodePort() + " -j " + externalTarget);
            }
            if (p.hasExternal() && !options.legacy()) {
                natChains.add(ext);
                rule(svcRules, ext, "-m comment --comment " + q("masquerade traffic for " + spn + " external destinations") + " -j KUBE-MARK-MASQ");
                rule(svcRules, ext, "-j " + (p.externalTrafficLocal() ? svl : svc));
            }
            if (p.hasExternal() && options.legacy() && p.externalTrafficLocal()) {
                natChains.add(xlb);
                rule(svcRules, xlb, "-m comment --comment " + q("Balancing rule 0 for " + spn) + " -j " + svl);
            }
            if (p.usesClusterChain()) {
                natChains.add(svc);
                lbChain(svcRules, svc, p, ip, eps, comments);
            }
            if (p.usesLocalChain() && !p.localEndpoints().isEmpty()) {
                natChains.add(svl);
                lbChain(svcRules, svl, p, ip, p.localEndpoints(), comments);
            }
            Set<EndpointSpec> seps = new LinkedHashSet<>(p.usesClusterChain() ? eps : List.of());
            if (p.usesLocalChain()) {
                seps.addAll(p.localEndpoints());
            }
            for (EndpointSpec e : seps) {
                String sep = ChainNames.sep(spn, proto, e.endpoint());
                natChains.add(sep);
                String c = comments ? " -m comment --comment " + q(spn) : "";
                rule(sepRules, sep, "-s " + host(e.ip()) + c + " -j KUBE-MARK-MASQ");
                rule(sepRules, sep, "-p " + proto + c + (p.sessionAffinity() ? " -m recent --set --name " + sep + " --mask "
                        + mask() + " --rsource" : "") + " -m " + proto + " -j DNAT --to-destination " + e.endpoint());
            }
        }
        StringBuilder out = new StringBuilder(natRules.capacity() + sepRules.length() + svcRules.length() + 4096);
        out.append("# Generated by iptables-save v1.8.9 (nf_tables) on Mon Jan  6 10:00:00 2025\n");
        out.append("*mangle\n");
        declare(out, "PREROUTING", "ACCEPT").declare(out, "INPUT", "ACCEPT").declare(out, "FORWARD", "ACCEPT")
                .declare(out, "OUTPUT", "ACCEPT").declare(out, "POSTROUTING", "ACCEPT");
        declare(out, "KUBE-IPTABLES-HINT", "-").declare(out, "KUBE-KUBELET-CANARY", "-").declare(out, "KUBE-PROXY-CANARY", "-");
        out.append("COMMIT\n# Completed on Mon Jan  6 10:00:00 2025\n");
        out.append("*filter\n");
        declare(out, "INPUT", "ACCEPT").declare(out, "FORWARD", "ACCEPT").declare(out, "OUTPUT", "ACCEPT");
        for (String c : List.of("KUBE-EXTERNAL-SERVICES", "KUBE-FIREWALL", "KUBE-FORWARD", "KUBE-KUBELET-CANARY", "KUBE-NODEPORTS",
                "KUBE-PROXY-CANARY", "KUBE-PROXY-FIREWALL", "KUBE-SERVICES")) {
            declare(out, c, "-");
        }
        rule(out, "INPUT", "-m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL");
        rule(out, "INPUT", "-m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS");
        rule(out, "INPUT", "-m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES");
        rule(out, "INPUT", "-j KUBE-FIREWALL");
        rule(out, "FORWARD", "-m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL");
        rule(out, "FORWARD", "-m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD");
        rule(out, "FORWARD", "-m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        rule(out, "FORWARD", "-m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES");
        rule(out, "OUTPUT", "-m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL");
        rule(out, "OUTPUT", "-m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        rule(out, "OUTPUT", "-j KUBE-FIREWALL");
        if (api.family() == IpFamily.IPV4) {
            rule(out, "KUBE-FIREWALL", "! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment \"block incoming localnet connections\""
                    + " -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
        }
        rule(out, "KUBE-FORWARD", "-m conntrack --ctstate INVALID -j DROP");
        rule(out, "KUBE-FORWARD", "-m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT");
        rule(out, "KUBE-FORWARD", "-m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        out.append(filterRules);
        out.append("COMMIT\n");
        out.append("*nat\n");
        declare(out, "PREROUTING", "ACCEPT").declare(out, "INPUT", "ACCEPT").declare(out, "OUTPUT", "ACCEPT").declare(out, "POSTROUTING", "ACCEPT");
        if (options.legacy()) {
            declare(out, "KUBE-MARK-DROP", "-");
        }
        for (String c : List.of("KUBE-MARK-MASQ", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-SERVICES")) {
            declare(out, c, "-");
        }
        for (String c : natChains) {
            declare(out, c, "-");
        }
        rule(out, "PREROUTING", "-m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        rule(out, "OUTPUT", "-m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
        rule(out, "POSTROUTING", "-m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING");
        if (options.legacy()) {
            rule(out, "KUBE-MARK-DROP", "-j MARK --set-xmark 0x8000/0x8000");
        }
        rule(out, "KUBE-MARK-MASQ", "-j MARK --set-xmark 0x4000/0x4000");
        out.append(nodePortRules);
        rule(out, "KUBE-POSTROUTING", "-m mark ! --mark 0x4000/0x4000 -j RETURN");
        rule(out, "KUBE-POSTROUTING", "-j MARK --set-xmark 0x4000/0x0");
        rule(out, "KUBE-POSTROUTING", "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully");
        out.append(sepRules);
        for (String r : servicesRules) {
            rule(out, "KUBE-SERVICES", r);
        }
        rule(out, "KUBE-SERVICES", "-m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\""
                + " -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS");
        out.append(svcRules);
        out.append("COMMIT\n# Completed on Mon Jan  6 10:00:00 2025\n");
        return out.toString();
    }

    private void lbChain(StringBuilder out, String chain, ServicePortSpec p, String ip, List<EndpointSpec> eps, boolean comments) {
        String spn = p.spn();
        String proto = p.proto();
        rule(out, chain, "! -s " + podCidr + " -d " + host(ip) + " -p " + proto + " -m comment --comment " + q(spn + " cluster IP")
                + " -m " + proto + " --dport " + p.port() + " -j KUBE-MARK-MASQ");
        if (p.sessionAffinity()) {
            for (EndpointSpec e : eps) {
                String sep = ChainNames.sep(spn, proto, e.endpoint());
                rule(out, chain, (comments ? "-m comment --comment " + q(jumpComment(spn, e)) + " " : "") + "-m recent --rcheck --seconds 10800 --reap --name "
                        + sep + " --mask " + mask() + " --rsource -j " + sep);
            }
        }
        int n = eps.size();
        for (int i = 0; i < n; i++) {
            EndpointSpec e = eps.get(i);
            String sep = ChainNames.sep(spn, proto, e.endpoint());
            StringBuilder r = new StringBuilder(128);
            if (comments) {
                r.append("-m comment --comment ").append(q(jumpComment(spn, e))).append(' ');
            }
            if (i < n - 1) {
                r.append("-m statistic --mode random --probability ").append(printedProbability(1.0 / (n - i))).append(' ');
            }
            r.append("-j ").append(sep);
            rule(out, chain, r.toString());
        }
    }

    private String jumpComment(String spn, EndpointSpec e) {
        return options.legacy() ? spn : spn + " -> " + e.endpoint();
    }

    /** kube-proxy writes %.10f (or %.5f); xt_statistic stores round(p·2³¹); iptables-save prints %.11f of that. */
    String printedProbability(double p) {
        double written = Double.parseDouble(String.format(Locale.ROOT, "%." + options.decimals() + "f", p));
        long stored = Math.round(written * 0x80000000L);
        return String.format(Locale.ROOT, "%.11f", stored / (double) 0x80000000L);
    }

    private String host(String ip) {
        return ip + (ip.indexOf(':') >= 0 ? "/128" : "/32");
    }

    private String mask() {
        return api.family() == IpFamily.IPV4 ? "255.255.255.255" : "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
    }

    private String reject() {
        return api.family() == IpFamily.IPV4 ? "icmp-port-unreachable" : "icmp6-port-unreachable";
    }

    /** iptables-save quotes a comment only when it contains spaces (or quotes). */
    static String q(String comment) {
        return comment.indexOf(' ') >= 0 || comment.indexOf('"') >= 0 ? "\"" + comment.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : comment;
    }

    private long counter = 7;

    private void rule(StringBuilder out, String chain, String rule) {
        if (options.counters()) {
            counter = counter * 31 % 100003;
            out.append('[').append(counter).append(':').append(counter * 64).append("] ");
        }
        out.append("-A ").append(chain).append(' ').append(rule).append('\n');
    }

    private IptablesDumpGenerator declare(StringBuilder out, String chain, String policy) {
        out.append(':').append(chain).append(' ').append(policy).append(" [0:0]\n");
        return this;
    }
}
