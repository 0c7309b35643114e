package io.k8scap.proxy;

import java.util.List;

/**
 * proxy-inspect's answer for one node (one item of {@code -o json}).
 *
 * @param mode the mode inspected; null when it could not be told
 * @param source how the mode was decided (see {@link ProxyModeDetector.Decision#source()})
 * @param iptablesBackend {@code nft} or {@code legacy}: whose iptables-save was read; null when none was
 * @param notes disagreements about the mode, leftovers of other modes, other iptables backend's rules
 * @param dataplanes one per IP family inspected (IPv4 first)
 * @param drift error-severity findings over all families (each is exit-code-7 material)
 * @param warnings warning-severity findings
 * @param prerequisites the IPVS prerequisites, when asked (--check-ipvs) or in IPVS mode; else null
 * @param traces the new-connection path for --service; empty otherwise
 * @param error why this node could not be (fully) inspected; null when it was
 */
public record NodeInspection(String node, ProxyMode mode, String source, String iptablesBackend, List<String> notes,
        List<DataplaneView> dataplanes, int drift, int warnings, PrerequisitesView prerequisites, List<TraceView> traces, Error error) {

    /** @param exitCode the code from the exit-code table this failure stands for */
    public record Error(int exitCode, String message) {
    }

    static NodeInspection of(String node, ProxyMode mode, String source, String backend, List<String> notes, List<DataplaneView> views,
            PrerequisitesView prerequisites, List<TraceView> traces, Error error) {
        int drift = 0;
        int warnings = 0;
        for (DataplaneView v : views) {
            for (Finding f : v.findings()) {
                if (f.severity() == Finding.Severity.ERROR) {
                    drift++;
                } else {
                    warnings++;
                }
            }
        }
        return new NodeInspection(node, mode, source, backend, List.copyOf(notes), List.copyOf(views), drift, warnings, prerequisites,
                List.copyOf(traces), error);
    }

    /** A node that could not be reached or read at all. */
    public static NodeInspection failed(String node, int exitCode, String message) {
        return new NodeInspection(node, null, null, null, List.of(), List.of(), 0, 0, null, List.of(), new Error(exitCode, message));
    }

    /** Service ports the node programmed, over all families. */
    public int programmedServices() {
        return dataplanes.stream().mapToInt(DataplaneView::programmedServicePorts).sum();
    }

    /** Service ports the API has, over all families. */
    public int apiServices() {
        return dataplanes.stream().mapToInt(DataplaneView::apiServicePorts).sum();
    }

    /** nat rules (iptables, IPVS) or rules in table kube-proxy (nftables); null when nothing was read. */
    public Integer rules() {
        Integer sum = null;
        for (DataplaneView v : dataplanes) {
            Integer r = v.natRules() != null ? v.natRules() : v.nftRules();
            if (r != null) {
                sum = (sum == null ? 0 : sum) + r;
            }
        }
        return sum;
    }
}
