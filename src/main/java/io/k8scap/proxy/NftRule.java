package io.k8scap.proxy;

import java.util.List;
import java.util.Map;

/**
 * One rule of the kube-proxy table, from {@code nft --json}.
 *
 * @param text the rule rendered in nft's own syntax (for traces), e.g. {@code meta l4proto tcp dnat to 10.180.0.1:80}
 * @param targets every chain the rule jumps/goes to, including inside anonymous verdict maps
 * @param numgenMod {@code numgen random mod N}: N, when the rule load-balances; null otherwise
 * @param numgenSlots slot → target chain of that numgen verdict map
 * @param dnatAddr/dnatPort the {@code dnat to} destination (either may be null when malformed)
 */
public record NftRule(String chain, long handle, String text, List<String> targets, Integer numgenMod, Map<Integer, String> numgenSlots,
        String dnatAddr, Integer dnatPort) {
}
