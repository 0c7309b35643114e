package io.k8scap.proxy;

/**
 * One endpoint of a service port as the API states it (EndpointSlice address[0] and the slice port whose
 * name and protocol match the service port). Conditions follow the API's defaults: ready null = ready,
 * serving null = ready, terminating null = false.
 */
public record EndpointSpec(String ip, int port, boolean ready, boolean serving, boolean terminating, String nodeName) {
    /** {@code ip:port} ({@code [ip]:port} for IPv6), the text kube-proxy hashes into KUBE-SEP names. */
    public String endpoint() {
        return ChainNames.endpoint(ip, port);
    }
}
