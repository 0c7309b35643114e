package io.k8scap.proxy;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * One difference between what the node's kube-proxy programmed and what the API says.
 *
 * @param service the service port name ({@code ns/name[:port]}), or the chain/address when no API service owns it
 */
public record Finding(Kind kind, Severity severity, String service, String detail) {

    public enum Severity {
        ERROR, WARNING;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Kind {
        /** An API service port with endpoints has no dispatch rule/virtual server/map element on the node. */
        MISSING_SERVICE(Severity.ERROR),
        /** The node load-balances to a service port the API does not have. */
        STALE_SERVICE(Severity.WARNING),
        /** A usable endpoint from the slices is not among the node's backends. */
        MISSING_BACKEND(Severity.ERROR),
        /** The node sends traffic to an endpoint the slices do not list (or not as usable). */
        STALE_BACKEND(Severity.ERROR),
        /** iptables probabilities are not 1/(n−i), or nftables numgen slots do not cover 0..N−1. */
        WRONG_PROBABILITY(Severity.ERROR),
        /** DNAT to an empty/invalid address or port ({@code --to-destination :0}), or to another endpoint than the chain's. */
        MALFORMED_DNAT(Severity.ERROR),
        /** The service has usable endpoints but the node rejects its traffic ("has no endpoints"). */
        REJECT_WITH_ENDPOINTS(Severity.ERROR),
        /** The service has no endpoints but the node does not reject (clients hang instead of being refused). */
        MISSING_REJECT(Severity.WARNING),
        /** A KUBE-SVC/SEP (or nft service/endpoint) chain nothing jumps to. */
        UNREFERENCED_CHAIN(Severity.WARNING),
        /** IPVS: a service IP is not bound on kube-ipvs0. */
        ADDRESS_NOT_BOUND(Severity.ERROR),
        /** IPVS: a cluster IP:port is missing from the KUBE-CLUSTER-IP ipset. */
        IPSET_ENTRY_MISSING(Severity.ERROR);

        private final Severity severity;

        Kind(Severity severity) {
            this.severity = severity;
        }

        public Severity severity() {
            return severity;
        }

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static Finding of(Kind kind, String service, String detail) {
        return new Finding(kind, kind.severity(), service, detail);
    }
}
