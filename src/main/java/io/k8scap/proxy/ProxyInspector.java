package io.k8scap.proxy;

/**
 * Entry points of proxy-inspect's pure part: one per kube-proxy mode, taking the raw text the node's commands
 * printed and the API's view, returning the checked model. No I/O here.
 */
public final class ProxyInspector {
    private ProxyInspector() {
    }

    /**
     * iptables mode.
     *
     * @param iptablesSave the complete output of {@code iptables-save} (or {@code iptables-save -c}; use
     *     {@code ip6tables-save} for IPv6) of the backend kube-proxy uses (legacy or nft)
     * @throws IllegalArgumentException when the text is not iptables-save output (message names the line)
     */
    public static Inspection iptables(String iptablesSave, ApiSnapshot api) {
        return new IptablesInspection(IptablesSaveParser.parse(iptablesSave), api);
    }

    /** IPVS mode; see {@link IpvsInput} for what each text is. */
    public static Inspection ipvs(IpvsInput input, ApiSnapshot api) {
        return new IpvsInspection(input, api);
    }

    /**
     * nftables mode.
     *
     * @param nftJson the output of {@code nft --json list table ip kube-proxy} ({@code ip6} for IPv6)
     * @throws IllegalArgumentException when the text is not nft JSON with a table
     */
    public static Inspection nftables(String nftJson, ApiSnapshot api) {
        return new NftInspection(NftParser.parse(nftJson), api);
    }
}
