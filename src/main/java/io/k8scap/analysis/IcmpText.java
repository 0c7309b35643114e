package io.k8scap.analysis;

/** Names for ICMP/ICMPv6 error codes and IP protocol numbers, as tshark prints them. */
final class IcmpText {
    private IcmpText() {
    }

    static String reason(boolean v6, int type, int code) {
        if (v6) {
            if (type == 2) {
                return "packet too big";
            }
            return switch (code) {
                case 0 -> "no route to destination";
                case 1 -> "administratively prohibited";
                case 2 -> "beyond scope of source address";
                case 3 -> "address unreachable";
                case 4 -> "port unreachable";
                case 5 -> "source address failed ingress/egress policy";
                case 6 -> "reject route to destination";
                default -> "code " + code;
            };
        }
        return switch (code) {
            case 0 -> "network unreachable";
            case 1 -> "host unreachable";
            case 2 -> "protocol unreachable";
            case 3 -> "port unreachable";
            case 4 -> "fragmentation needed";
            case 5 -> "source route failed";
            case 6 -> "destination network unknown";
            case 7 -> "destination host unknown";
            case 9 -> "network administratively prohibited";
            case 10 -> "host administratively prohibited";
            case 11 -> "network unreachable for TOS";
            case 12 -> "host unreachable for TOS";
            case 13 -> "communication administratively prohibited";
            default -> "code " + code;
        };
    }

    static String protocol(int p) {
        return switch (p) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 1 -> "ICMP";
            case 58 -> "ICMPv6";
            case 132 -> "SCTP";
            case 47 -> "GRE";
            default -> String.valueOf(p);
        };
    }
}
