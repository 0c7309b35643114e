package io.k8scap.proxy;

/**
 * One {@code -A CHAIN …} line of iptables-save, with the options proxy-inspect reads. Addresses lose a
 * single-host suffix ({@code /32}, {@code /128}); other CIDRs are kept.
 *
 * @param number 1-based position in its chain
 * @param text the rule after {@code -A CHAIN }, as printed (quotes kept)
 * @param packets counter from {@code iptables-save -c}, null without -c
 * @param recent {@code -m recent} action: rcheck, set, update, remove (null without -m recent)
 * @param mark {@code --set-xmark}/{@code --or-mark}/{@code --set-mark} value
 * @param matchSet {@code -m set --match-set NAME} (flags in matchSetFlags, e.g. dst,dst)
 * @param target {@code -j}/{@code -g} target
 */
public record IptablesRule(String chain, int number, String text, Long packets, Long bytes, String source, boolean sourceNegated,
        String destination, boolean destinationNegated, String protocol, String dport, String comment, Double probability,
        String recentName, String recent, String matchSet, String matchSetFlags, boolean matchSetNegated, String srcType,
        String dstType, String mark, String target, boolean gotoTarget, String toDestination, String rejectWith) {
}
