package io.k8scap.proxy;

import java.util.List;

/**
 * One set of {@code ipset list}.
 *
 * @param header the Header line (family, hashsize, maxelem, …)
 * @param members entries as printed: {@code 10.96.0.10,udp:53}, {@code 10.244.0.5,tcp:80,10.244.0.5}, {@code 30080}
 */
public record IpsetSet(String name, String type, Integer revision, String header, Long sizeInMemory, Integer references,
        Integer numberOfEntries, List<String> members) {

    /** The {@code ip,proto:port} key kube-proxy puts in KUBE-CLUSTER-IP for a service port. */
    public static String ipPortEntry(String ip, String protocol, int port) {
        return ip + "," + protocol.toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }
}
