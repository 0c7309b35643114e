package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which mode kube-proxy runs in on a node, and how we know: its own answer ({@code /proxyMode}), the
 * configuration in the API (ConfigMap {@code mode:}, DaemonSet {@code --proxy-mode}), and the evidence on the
 * node (KUBE-SVC/SEP chains; kube-ipvs0 and IPVS virtual servers; table {@code ip kube-proxy}). Pure.
 */
public final class ProxyModeDetector {
    private ProxyModeDetector() {
    }

    /**
     * What the node shows of each mode.
     *
     * @param iptablesChains KUBE-SVC/SVL/EXT/FW/SEP chains in nat (iptables mode only; IPVS mode has none)
     * @param kubeIpvs0 whether the kube-ipvs0 dummy interface exists
     * @param ipvsServers IPVS virtual servers (-1 when ipvsadm could not be run)
     * @param nftTable whether table ip (or ip6) kube-proxy exists
     */
    public record Evidence(int iptablesChains, boolean kubeIpvs0, int ipvsServers, boolean nftTable) {
        Set<ProxyMode> modes() {
            Set<ProxyMode> s = EnumSet.noneOf(ProxyMode.class);
            if (iptablesChains > 0) {
                s.add(ProxyMode.IPTABLES);
            }
            if (kubeIpvs0 || ipvsServers > 0) {
                s.add(ProxyMode.IPVS);
            }
            if (nftTable) {
                s.add(ProxyMode.NFTABLES);
            }
            return s;
        }

        String describe(ProxyMode m) {
            return switch (m) {
                case IPTABLES -> iptablesChains + " KUBE-SVC/SEP chain(s) in iptables nat";
                case IPVS -> (kubeIpvs0 ? "kube-ipvs0" : "") + (kubeIpvs0 && ipvsServers > 0 ? " and " : "")
                        + (ipvsServers > 0 ? ipvsServers + " IPVS virtual server(s)" : "");
                case NFTABLES -> "nft table kube-proxy";
            };
        }
    }

    /**
     * The decision.
     *
     * @param mode null when nothing tells the mode
     * @param source how it was decided: {@code --mode}, {@code /proxyMode}, {@code configmap}, {@code daemonset},
     *     {@code evidence}, joined with '+' when they agree (e.g. {@code /proxyMode+configmap+evidence})
     * @param notes disagreements and leftovers of other modes, one sentence each
     */
    public record Decision(ProxyMode mode, String source, List<String> notes) {
    }

    /**
     * @param requested the mode the user asked for (--mode), null for auto
     * @param proxyModeAnswer what {@code /proxyMode} answered, null when nothing listened or no HTTP client exists
     * @param configMode ConfigMap {@code mode:} ("" = iptables), null without ConfigMap
     * @param daemonSetMode DaemonSet {@code --proxy-mode}, null when absent
     */
    public static Decision decide(ProxyMode requested, String proxyModeAnswer, String configMode, String daemonSetMode, Evidence evidence) {
        List<String> notes = new ArrayList<>();
        ProxyMode answered = parse(proxyModeAnswer);
        ProxyMode configured = null;
        String configSource = null;
        if (daemonSetMode != null && parse(daemonSetMode) != null) {
            configured = parse(daemonSetMode);
            configSource = "daemonset";
        } else if (configMode != null) {
            configured = configMode.isBlank() ? ProxyMode.IPTABLES : parse(configMode);
            configSource = configured == null ? null : "configmap";
        }
        Set<ProxyMode> seen = evidence.modes();

        ProxyMode mode;
        List<String> sources = new ArrayList<>();
        if (requested != null) {
            mode = requested;
            sources.add("--mode");
            if (answered != null && answered != requested) {
                notes.add("kube-proxy answers /proxyMode " + answered.id() + ", not " + requested.id() + " as asked with --mode");
            }
        } else if (answered != null) {
            mode = answered;
            sources.add("/proxyMode");
        } else if (configured != null && (seen.isEmpty() || seen.contains(configured))) {
            mode = configured;
            sources.add(configSource);
        } else if (!seen.isEmpty()) {
            // newest first: kube-proxy cleans up the other modes when it starts, so the newer one is the live one
            mode = seen.contains(ProxyMode.NFTABLES) ? ProxyMode.NFTABLES : seen.contains(ProxyMode.IPVS) ? ProxyMode.IPVS : ProxyMode.IPTABLES;
            sources.add("evidence");
            if (configured != null) {
                notes.add("the " + configSource + " says " + configured.id() + " but the node has only " + mode.id()
                        + " rules (" + evidence.describe(mode) + ")"
                        + (configured == ProxyMode.IPVS ? "; kube-proxy up to 1.25 falls back to iptables when IPVS modules are missing" : ""));
            }
        } else {
            return new Decision(null, "-", List.of("no answer on 127.0.0.1:10249/proxyMode, no kube-proxy ConfigMap/DaemonSet mode,"
                    + " and no kube-proxy rules on the node"));
        }
        if (requested == null && answered != null && configured != null && configured != answered) {
            notes.add("kube-proxy answers /proxyMode " + answered.id() + " but the " + configSource + " says " + configured.id()
                    + (configured == ProxyMode.IPVS && answered == ProxyMode.IPTABLES
                            ? " (kube-proxy up to 1.25 falls back to iptables when IPVS modules are missing)"
                            : " (changed after kube-proxy started? restart it to apply)"));
        }
        if (requested == null && configured == mode && !sources.contains(configSource)) {
            sources.add(configSource);
        }
        if (seen.contains(mode) && !sources.contains("evidence")) {
            sources.add("evidence");
        }
        for (ProxyMode other : ProxyMode.values()) {
            if (other != mode && seen.contains(other)) {
                notes.add("leftovers of " + other.id() + " mode: " + evidence.describe(other)
                        + " (kube-proxy --cleanup, or a reboot, removes them)");
            }
        }
        if (!seen.contains(mode) && requested == null) {
            notes.add("the node shows no " + mode.id() + " rules at all");
        }
        return new Decision(mode, String.join("+", sources), List.copyOf(notes));
    }

    /** "iptables"/"ipvs"/"nftables" (any case, surrounding space) → the mode; anything else → null. */
    public static ProxyMode parse(String text) {
        if (text == null) {
            return null;
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "iptables" -> ProxyMode.IPTABLES;
            case "ipvs" -> ProxyMode.IPVS;
            case "nftables" -> ProxyMode.NFTABLES;
            default -> null;
        };
    }
}
