package io.k8scap.proxy;

/**
 * One backend of a service port as the node programmed it.
 *
 * @param endpoint {@code ip:port} the traffic is DNATed/forwarded to
 * @param chain KUBE-SEP chain or nft endpoint chain (null in IPVS mode)
 * @param probability iptables: the rule's {@code --probability} (null on the last rule, which takes the rest)
 * @param share the fraction of new connections this backend gets (all modes)
 * @param weight IPVS weight (0 = terminating endpoint being drained)
 * @param slot nftables numgen slot
 * @param inApi whether the slices list this endpoint as usable
 */
public record BackendView(String endpoint, String chain, Double probability, double share, Integer weight, Integer slot, boolean inApi) {
}
