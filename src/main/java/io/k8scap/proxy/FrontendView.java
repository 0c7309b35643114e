package io.k8scap.proxy;

/**
 * One way into a service port on the node.
 *
 * @param kind cluster-ip, node-port, external-ip or load-balancer
 * @param address the IP (null for a NodePort, which listens on the node's addresses)
 * @param chain where it leads: KUBE-SVC/SVL/EXT/FW chain, the IPVS virtual server, or the nft chain; null when missing
 */
public record FrontendView(String kind, String address, int port, String chain) {
}
