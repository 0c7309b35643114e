package io.k8scap.analysis;

/**
 * What an address is in the cluster, for the report: a pod ({@code ns/name}), a Service ({@code ns/name:port}),
 * a node. The seam between the offline analysis and the cluster: {@code analyze} without a kubeconfig, and
 * every test, use {@link #OFFLINE}.
 */
@FunctionalInterface
public interface AddressNames {
    /** Names nothing. */
    AddressNames OFFLINE = (address, port) -> null;

    /**
     * @param address IPv4 dotted or IPv6 (RFC 5952) text, as in the report
     * @param port    the port on that address (0 when none): a Service is named by its port
     * @return the name, or null when the address is unknown
     */
    String name(String address, int port);
}
