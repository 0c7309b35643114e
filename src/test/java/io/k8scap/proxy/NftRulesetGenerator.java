package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes the {@code nft -f} text kube-proxy's nftables mode programs for an API state (chain names from
 * {@link ChainNames}). The JSON samples under src/test/resources/io/k8scap/proxy/ are what the real nft 1.0.6
 * printed ({@code nft --json list table ip kube-proxy}) after loading this text into a scratch network namespace:
 * {@code java ... NftRulesetGenerator > kp.nft} and see RecordNftSamples in the report.
 */
final class NftRulesetGenerator {
    static final String NODE_IP = "192.168.10.5";

    private NftRulesetGenerator() {
    }

    static String generate(ApiSnapshot api) {
        boolean v6 = api.family() == IpFamily.IPV6;
        String fam = v6 ? "ip6" : "ip";
        String addrType = v6 ? "ipv6_addr" : "ipv4_addr";
        String podCidr = v6 ? "fd00:10:244::/64" : "10.244.0.0/16";
        List<String> clusterIps = new ArrayList<>();
        List<String> serviceIps = new ArrayList<>();
        List<String> noEndpoints = new ArrayList<>();
        List<String> nodePorts = new ArrayList<>();
        List<String> noEndpointNodePorts = new ArrayList<>();
        StringBuilder chains = new StringBuilder();
        StringBuilder sets = new StringBuilder();
        for (ServicePortSpec p : api.ports()) {
            String base = ChainNames.nftServiceBase(p.namespace(), p.name(), p.proto(), p.portName());
            String proto = p.proto();
            List<EndpointSpec> eps = p.clusterEndpoints();
            for (String ip : p.clusterIPs()) {
                if (!clusterIps.contains(ip)) {
                    clusterIps.add(ip);
                }
            }
            if (eps.isEmpty()) {
                for (String ip : p.clusterIPs()) {
                    noEndpoints.add(ip + " . " + proto + " . " + p.port() + " comment \"" + p.spn() + "\" : goto reject-chain");
                }
                if (p.nodePort() != null) {
                    noEndpointNodePorts.add(proto + " . " + p.nodePort() + " comment \"" + p.spn() + "\" : goto reject-chain");
                }
                continue;
            }
            String internal = (p.internalTrafficLocal() ? "local-" : "service-") + base;
            String external = "external-" + base;
            for (String ip : p.clusterIPs()) {
                serviceIps.add(ip + " . " + proto + " . " + p.port() + " : goto " + internal);
            }
            for (String ip : p.externalIPs()) {
                serviceIps.add(ip + " . " + proto + " . " + p.port() + " : goto " + external);
            }
            for (String ip : p.loadBalancerIPs()) {
                serviceIps.add(ip + " . " + proto + " . " + p.port() + " : goto " + external);
            }
            if (p.nodePort() != null) {
                nodePorts.add(proto + " . " + p.nodePort() + " : goto " + external);
            }
            if (p.hasExternal()) {
                chains.append("\tchain ").append(external).append(" {\n\t\tjump mark-for-masquerade\n\t\tgoto ")
                        .append((p.externalTrafficLocal() ? "local-" : "service-") + base).append("\n\t}\n");
            }
            if (p.usesClusterChain()) {
                lbChain(chains, sets, "service-" + base, p, eps, fam, addrType, podCidr);
            }
            if (p.usesLocalChain() && !p.localEndpoints().isEmpty()) {
                lbChain(chains, sets, "local-" + base, p, p.localEndpoints(), fam, addrType, podCidr);
            }
            List<EndpointSpec> all = new ArrayList<>(p.usesClusterChain() ? eps : List.of());
            if (p.usesLocalChain()) {
                p.localEndpoints().stream().filter(e -> !all.contains(e)).forEach(all::add);
            }
            for (EndpointSpec e : all) {
                String ep = "endpoint-" + ChainNames.nftEndpointBase(p.namespace(), p.name(), proto, p.portName(), e.ip(), e.port());
                chains.append("\tchain ").append(ep).append(" {\n\t\t").append(fam).append(" saddr ").append(e.ip())
                        .append(" jump mark-for-masquerade\n");
                if (p.sessionAffinity()) {
                    String aff = "affinity-" + ChainNames.nftEndpointBase(p.namespace(), p.name(), proto, p.portName(), e.ip(), e.port());
                    chains.append("\t\tupdate @").append(aff).append(" { ").append(fam).append(" saddr }\n");
                }
                chains.append("\t\tmeta l4proto ").append(proto).append(" dnat to ").append(v6 ? "[" + e.ip() + "]" : e.ip()).append(':')
                        .append(e.port()).append("\n\t}\n");
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("table ").append(fam).append(" kube-proxy {\n\tcomment \"rules for kube-proxy\"\n");
        out.append(set("cluster-ips", addrType, "Active ClusterIPs", clusterIps));
        out.append(set("nodeport-ips", addrType, "IPs that accept NodePort traffic", v6 ? List.of() : List.of(NODE_IP)));
        out.append(map("no-endpoint-services", addrType + " . inet_proto . inet_service", "vmap to drop or reject packets to services with no endpoints", noEndpoints));
        out.append(map("no-endpoint-nodeports", "inet_proto . inet_service", "vmap to drop or reject packets to service nodeports with no endpoints", noEndpointNodePorts));
        out.append(map("service-ips", addrType + " . inet_proto . inet_service", "ClusterIP, ExternalIP and LoadBalancer IP traffic", serviceIps));
        out.append(map("service-nodeports", "inet_proto . inet_service", "NodePort traffic", nodePorts));
        out.append(sets);
        out.append("\tchain filter-prerouting {\n\t\ttype filter hook prerouting priority dstnat - 10; policy accept;\n\t\tct state new jump service-endpoints-check\n\t}\n");
        out.append("\tchain filter-output {\n\t\ttype filter hook output priority -110; policy accept;\n\t\tct state new jump service-endpoints-check\n\t}\n");
        out.append("\tchain service-endpoints-check {\n\t\t").append(fam).append(" daddr . meta l4proto . th dport vmap @no-endpoint-services\n")
                .append("\t\tfib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports\n\t}\n");
        out.append("\tchain nat-prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tjump services\n\t}\n");
        out.append("\tchain nat-output {\n\t\ttype nat hook output priority -100; policy accept;\n\t\tjump services\n\t}\n");
        out.append("\tchain nat-postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tjump masquerading\n\t}\n");
        out.append("\tchain masquerading {\n\t\tmeta mark & 0x00004000 == 0x00000000 return\n\t\tmeta mark set meta mark ^ 0x00004000\n\t\tmasquerade fully-random\n\t}\n");
        out.append("\tchain mark-for-masquerade {\n\t\tmeta mark set meta mark | 0x00004000\n\t}\n");
        out.append("\tchain reject-chain {\n\t\tcomment \"helper for @no-endpoint-services / @no-endpoint-nodeports\"\n\t\treject\n\t}\n");
        out.append("\tchain services {\n\t\t").append(fam).append(" daddr . meta l4proto . th dport vmap @service-ips\n")
                .append("\t\t").append(fam).append(" daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports\n\t}\n");
        out.append(chains);
        out.append("}\n");
        return out.toString();
    }

    private static void lbChain(StringBuilder chains, StringBuilder sets, String chain, ServicePortSpec p, List<EndpointSpec> eps, String fam,
            String addrType, String podCidr) {
        chains.append("\tchain ").append(chain).append(" {\n");
        for (String ip : p.clusterIPs()) {
            chains.append("\t\t").append(fam).append(" daddr ").append(ip).append(' ').append(p.proto()).append(" dport ").append(p.port())
                    .append(' ').append(fam).append(" saddr != ").append(podCidr).append(" jump mark-for-masquerade\n");
        }
        List<String> slots = new ArrayList<>();
        for (int i = 0; i < eps.size(); i++) {
            EndpointSpec e = eps.get(i);
            String base = ChainNames.nftEndpointBase(p.namespace(), p.name(), p.proto(), p.portName(), e.ip(), e.port());
            if (p.sessionAffinity()) {
                String aff = "affinity-" + base;
                if (sets.indexOf("set " + aff + " ") < 0) {
                    sets.append("\tset ").append(aff).append(" {\n\t\ttype ").append(addrType).append("\n\t\tflags dynamic,timeout\n\t\ttimeout 3h\n\t}\n");
                }
                chains.append("\t\t").append(fam).append(" saddr @").append(aff).append(" goto endpoint-").append(base).append('\n');
            }
            slots.add(i + " : goto endpoint-" + base);
        }
        chains.append("\t\tnumgen random mod ").append(eps.size()).append(" vmap { ").append(String.join(", ", slots)).append(" }\n\t}\n");
    }

    private static String set(String name, String type, String comment, List<String> elements) {
        return "\tset " + name + " {\n\t\ttype " + type + "\n\t\tcomment \"" + comment + "\"\n"
                + (elements.isEmpty() ? "" : "\t\telements = { " + String.join(", ", elements) + " }\n") + "\t}\n";
    }

    private static String map(String name, String type, String comment, List<String> elements) {
        return "\tmap " + name + " {\n\t\ttype " + type + " : verdict\n\t\tcomment \"" + comment + "\"\n"
                + (elements.isEmpty() ? "" : "\t\telements = { " + String.join(",\n\t\t\t     ", elements) + " }\n") + "\t}\n";
    }

    /** Prints the ruleset for the samples: {@code cluster} (ip) or {@code ipv6} (ip6). */
    public static void main(String[] args) {
        System.out.print(args.length > 0 && args[0].equals("ipv6") ? generate(Samples.ipv6().snapshot(IpFamily.IPV6))
                : generate(Samples.cluster().snapshot()));
    }
}
