package io.k8scap.proxy;

/**
 * One rule on a new connection's path.
 *
 * @param table iptables table, "ipvs", or nft table
 * @param chain chain (or IPVS virtual server)
 * @param rule 1-based rule number in the chain (nft: handle; IPVS: null)
 * @param match the rule text as the node prints it
 * @param probability iptables statistic probability of this rule, if any
 * @param weight IPVS weight, if any
 * @param slot nftables numgen slot, if any
 * @param target jump/goto target or DNAT/forward destination
 */
public record TraceStep(String table, String chain, Integer rule, String match, Double probability, Integer weight, Integer slot,
        String target) {
}
