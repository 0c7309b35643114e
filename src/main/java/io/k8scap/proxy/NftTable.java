package io.k8scap.proxy;

import java.util.List;
import java.util.Map;

/**
 * kube-proxy's nftables table ({@code table ip kube-proxy} or {@code ip6}).
 *
 * @param chains chain name → its rules in order
 * @param sets sets and maps by name (elements; verdicts for maps)
 */
public record NftTable(String family, String name, Map<String, List<NftRule>> chains, Map<String, List<NftMapElement>> sets) {
    public int ruleCount() {
        return chains.values().stream().mapToInt(List::size).sum();
    }
}
