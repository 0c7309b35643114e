package io.k8scap.proxy;

import java.util.List;

/**
 * One Service port as kube-proxy sees it, for one IP family, with the endpoints it would program.
 *
 * @param clusterEndpoints what kube-proxy uses for cluster traffic policy: the ready endpoints, or, when none
 *     is ready, the serving terminating ones
 * @param localEndpoints the same restricted to endpoints on the inspected node (empty when the node is unknown)
 * @param allEndpoints every endpoint in the slices for this port, whatever its conditions (for the views)
 */
public record ServicePortSpec(
        String namespace,
        String name,
        String portName,
        String protocol,
        int port,
        Integer nodePort,
        List<String> clusterIPs,
        List<String> externalIPs,
        List<String> loadBalancerIPs,
        boolean sessionAffinity,
        boolean internalTrafficLocal,
        boolean externalTrafficLocal,
        boolean loadBalancerSourceRanges,
        List<EndpointSpec> clusterEndpoints,
        List<EndpointSpec> localEndpoints,
        List<EndpointSpec> allEndpoints) {

    /** {@code ns/name[:portName]} */
    public String spn() {
        return ChainNames.servicePortName(namespace, name, portName);
    }

    /** {@code ns/name} */
    public String service() {
        return namespace + "/" + name;
    }

    /** Protocol in kube-proxy's lower case: tcp, udp, sctp. */
    public String proto() {
        return protocol.toLowerCase(java.util.Locale.ROOT);
    }

    /** True when traffic from outside the cluster can reach the port (NodePort, external or LB IPs). */
    public boolean hasExternal() {
        return nodePort != null || !externalIPs.isEmpty() || !loadBalancerIPs.isEmpty();
    }

    /** kube-proxy creates the cluster-policy chain (KUBE-SVC) when any traffic uses cluster policy. */
    public boolean usesClusterChain() {
        return !internalTrafficLocal || (hasExternal() && !externalTrafficLocal);
    }

    /** kube-proxy creates the local-policy chain (KUBE-SVL) when any traffic uses local policy. */
    public boolean usesLocalChain() {
        return internalTrafficLocal || (hasExternal() && externalTrafficLocal);
    }
}
