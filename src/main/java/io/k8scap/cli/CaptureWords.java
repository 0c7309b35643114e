package io.k8scap.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How {@code capture}'s positional words divide into targets and a BPF filter, as kubectl users
 * type them: {@code capture A B C -- tcp port 80} (everything after {@code --} is the filter),
 * {@code capture A B --filter 'tcp port 80'}, {@code capture -l app=web tcp port 80} (with -l every
 * word is the filter) and, as before, {@code capture POD 'tcp port 80'} or {@code capture POD tcp
 * port 80}: without {@code --}, the first word is a target and so is each following word shaped
 * like a name, up to the first that is not (a BPF keyword, a number or an address, a word with a
 * space or an operator); from there on it is the filter.
 *
 * @param targets   the words naming pods or workloads
 * @param filter    the BPF filter text, or null
 * @param nameLike  words of a filter taken without {@code --} that could also name a pod or
 *                  workload (not BPF keywords, numbers or addresses, e.g. {@code cart} in
 *                  {@code capture web tcp cart}): the command checks them and, when one does, says
 *                  so (the {@code --} form is the way to be clear)
 */
record CaptureWords(List<String> targets, String filter, List<String> nameLike) {

    /** A usage error, for the command to report with its usage line. */
    static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * @param words      the positional words, in order
     * @param afterDash  how many of them came after {@code --} (-1: there was no {@code --})
     * @param selector   -l was given
     * @param filterFlag --filter's value, or null
     */
    static CaptureWords split(List<String> words, int afterDash, boolean selector, String filterFlag) {
        int beforeDash = afterDash < 0 ? words.size() : words.size() - afterDash;
        List<String> before = words.subList(0, beforeDash);
        List<String> after = words.subList(beforeDash, words.size());
        if (filterFlag != null && !after.isEmpty()) {
            throw new Invalid("give the filter either after -- or with --filter, not both");
        }
        if (afterDash >= 0 || filterFlag != null) {
            if (selector && !before.isEmpty()) {
                throw new Invalid("give either names (" + String.join(", ", before) + ") or -l, not both");
            }
            return new CaptureWords(List.copyOf(before), filterFlag != null ? filterFlag : join(after), List.of());
        }
        if (selector) {
            return new CaptureWords(List.of(), join(words), List.of());
        }
        int firstFilterWord = words.isEmpty() ? 0 : 1;
        while (firstFilterWord < words.size() && looksLikeTarget(words.get(firstFilterWord))) {
            firstFilterWord++;
        }
        List<String> filterWords = words.subList(firstFilterWord, words.size());
        List<String> nameLike = new ArrayList<>();
        for (String w : filterWords) {
            if (looksLikeTarget(w) && !nameLike.contains(w)) {
                nameLike.add(w);
            }
        }
        return new CaptureWords(List.copyOf(words.subList(0, firstFilterWord)), join(filterWords), List.copyOf(nameLike));
    }

    /** {@code capture A B -- FILTER}, the form that says it all, for messages. */
    static String dashForm(List<String> targets, String filter) {
        return "k8scap capture " + String.join(" ", targets) + " -- " + filter;
    }

    private static String join(List<String> words) {
        return words.isEmpty() ? null : String.join(" ", words);
    }

    /** A DNS-1123 subdomain: what pod and workload names are. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    /** KIND/NAME, e.g. deploy/web, sts/db, Deployment/web. */
    private static final Pattern KIND_NAME = Pattern.compile("[A-Za-z]{2,32}/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern NUMBER_OR_ADDRESS = Pattern.compile("[0-9]+|[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?");

    /** The words that begin a BPF expression (pcap-filter(7)): primitives, qualifiers, operators. */
    static final Set<String> BPF_WORDS = Set.of(
            "host", "net", "port", "portrange", "src", "dst", "gateway", "ether", "ip", "ip6", "arp", "rarp",
            "tcp", "udp", "sctp", "icmp", "icmp6", "igmp", "pim", "vrrp", "ah", "esp", "vlan", "mpls",
            "pppoed", "pppoes", "geneve", "proto", "protochain", "broadcast", "multicast", "inbound", "outbound",
            "less", "greater", "len", "not", "and", "or", "ifname", "llc", "stp", "ipx", "decnet", "atalk", "iso");

    private static boolean looksLikeTarget(String w) {
        if (KIND_NAME.matcher(w).matches()) {
            return true;
        }
        return NAME.matcher(w).matches() && !BPF_WORDS.contains(w) && !NUMBER_OR_ADDRESS.matcher(w).matches();
    }
}
