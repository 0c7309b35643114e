package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a node in IPVS mode prints for an API state: ipvsadm -Sn / -Ln, ipset list, ip addr show kube-ipvs0. */
final class IpvsDumpGenerator {
    static final String NODE_IP = "192.168.10.5";

    record Vs(String proto, String ip, int port, Integer persistent, List<String[]> rs) {
    }

    final List<Vs> servers = new ArrayList<>();
    final Set<String> bound = new LinkedHashSet<>();
    final Map<String, List<String>> sets = new LinkedHashMap<>();

    IpvsDumpGenerator(ApiSnapshot api) {
        String six = api.family() == IpFamily.IPV6 ? "6-" : "";
        for (String s : List.of("CLUSTER-IP", "LOOP-BACK", "EXTERNAL-IP", "LOAD-BALANCER", "NODE-PORT-TCP", "NODE-PORT-UDP")) {
            sets.put("KUBE-" + six + s, new ArrayList<>());
        }
        for (ServicePortSpec p : api.ports()) {
            List<EndpointSpec> eps = p.internalTrafficLocal() ? p.localEndpoints() : p.clusterEndpoints();
            List<String[]> rs = new ArrayList<>();
            for (EndpointSpec e : eps) {
                rs.add(new String[] {e.ip(), Integer.toString(e.port()), "1"});
                sets.get("KUBE-" + six + "LOOP-BACK").add(e.ip() + "," + p.proto() + ":" + e.port() + "," + e.ip());
            }
            Integer persistent = p.sessionAffinity() ? 10800 : null;
            for (String ip : p.clusterIPs()) {
                servers.add(new Vs(p.protocol(), ip, p.port(), persistent, rs));
                bound.add(ip);
                sets.get("KUBE-" + six + "CLUSTER-IP").add(IpsetSet.ipPortEntry(ip, p.protocol(), p.port()));
            }
            for (String ip : p.externalIPs()) {
                servers.add(new Vs(p.protocol(), ip, p.port(), persistent, rs));
                bound.add(ip);
                sets.get("KUBE-" + six + "EXTERNAL-IP").add(IpsetSet.ipPortEntry(ip, p.protocol(), p.port()));
            }
            for (String ip : p.loadBalancerIPs()) {
                servers.add(new Vs(p.protocol(), ip, p.port(), persistent, rs));
                bound.add(ip);
                sets.get("KUBE-" + six + "LOAD-BALANCER").add(IpsetSet.ipPortEntry(ip, p.protocol(), p.port()));
            }
            if (p.nodePort() != null && api.family() == IpFamily.IPV4) {
                servers.add(new Vs(p.protocol(), NODE_IP, p.nodePort(), persistent, rs));
                List<String> np = sets.get("KUBE-NODE-PORT-" + p.protocol());
                if (np != null) {
                    np.add(Integer.toString(p.nodePort()));
                }
            }
        }
    }

    String save() {
        StringBuilder out = new StringBuilder();
        for (Vs v : servers) {
            String flag = flag(v.proto());
            String vip = ChainNames.endpoint(v.ip(), v.port());
            out.append("-A ").append(flag).append(' ').append(vip).append(" -s rr");
            if (v.persistent() != null) {
                out.append(" -p ").append(v.persistent());
            }
            out.append('\n');
            for (String[] r : v.rs()) {
                out.append("-a ").append(flag).append(' ').append(vip).append(" -r ").append(ChainNames.endpoint(r[0], Integer.parseInt(r[1])))
                        .append(" -m -w ").append(r[2]).append('\n');
            }
        }
        return out.toString();
    }

    String list() {
        StringBuilder out = new StringBuilder("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
                + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        for (Vs v : servers) {
            out.append(String.format("%-4s %s rr%s%n", v.proto(), ChainNames.endpoint(v.ip(), v.port()),
                    v.persistent() == null ? "" : " persistent " + v.persistent()));
            for (String[] r : v.rs()) {
                out.append(String.format("  -> %-28s Masq    %-6s 0          0%n", ChainNames.endpoint(r[0], Integer.parseInt(r[1])), r[2]));
            }
        }
        return out.toString();
    }

    String ipsetList() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, List<String>> s : sets.entrySet()) {
            boolean bitmap = s.getKey().contains("NODE-PORT");
            String type = bitmap ? "bitmap:port" : s.getKey().endsWith("LOOP-BACK") ? "hash:ip,port,ip" : "hash:ip,port";
            String header = bitmap ? "range 0-65535" : "family " + (s.getKey().contains("-6-") ? "inet6" : "inet") + " hashsize 1024 maxelem 65536 bucketsize 12 initval 0x5fa1b9a7";
            out.append("Name: ").append(s.getKey()).append("\nType: ").append(type).append("\nRevision: ").append(bitmap ? 3 : 6)
                    .append("\nHeader: ").append(header).append("\nSize in memory: ").append(bitmap ? 8264 : 400 + 80 * s.getValue().size())
                    .append("\nReferences: ").append(s.getKey().contains("CLUSTER-IP") ? 2 : 1).append("\nNumber of entries: ")
                    .append(s.getValue().size()).append("\nMembers:\n");
            s.getValue().forEach(m -> out.append(m).append('\n'));
            out.append('\n');
        }
        return out.toString();
    }

    String ipAddr() {
        StringBuilder out = new StringBuilder("7: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default \n"
                + "    link/ether 6a:2b:3c:4d:5e:6f brd ff:ff:ff:ff:ff:ff\n");
        for (String ip : bound) {
            boolean v6 = ip.indexOf(':') >= 0;
            out.append("    ").append(v6 ? "inet6 " : "inet ").append(ip).append(v6 ? "/128" : "/32").append(" scope global kube-ipvs0\n")
                    .append("       valid_lft forever preferred_lft forever\n");
        }
        return out.toString();
    }

    IpvsInput input(boolean saveForm) {
        return new IpvsInput(saveForm ? save() : list(), ipsetList(), ipAddr(), null);
    }

    private static String flag(String proto) {
        return switch (proto) {
            case "TCP" -> "-t";
            case "UDP" -> "-u";
            default -> "--sctp-service";
        };
    }
}
