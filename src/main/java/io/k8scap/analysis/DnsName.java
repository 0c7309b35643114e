package io.k8scap.analysis;

/** The question name of a DNS message (compression pointers followed, bounded), rcode and type names. */
final class DnsName {
    private DnsName() {
    }

    /**
     * Reads the name at {@code at[0]} in the message {@code b[msg..end)}; leaves {@code at[0]} after it.
     * Returns null when the name runs past the message or loops. The root is ".".
     */
    static String read(byte[] b, int msg, int end, int[] at) {
        StringBuilder s = new StringBuilder();
        int o = at[0];
        int after = -1;
        for (int jumps = 0; jumps < 32; ) {
            if (o >= end) {
                return null;
            }
            int l = b[o] & 0xFF;
            if (l == 0) {
                at[0] = after >= 0 ? after : o + 1;
                return s.length() == 0 ? "." : s.toString();
            }
            if ((l & 0xC0) == 0xC0) {
                if (o + 1 >= end) {
                    return null;
                }
                if (after < 0) {
                    after = o + 2;
                }
                o = msg + (((l & 0x3F) << 8) | (b[o + 1] & 0xFF));
                jumps++;
                continue;
            }
            if ((l & 0xC0) != 0 || o + 1 + l > end || s.length() > 255) {
                return null;
            }
            if (s.length() > 0) {
                s.append('.');
            }
            for (int i = o + 1; i <= o + l; i++) {
                int c = b[i] & 0xFF;
                if (c > 0x20 && c < 0x7F) {
                    s.append((char) c);
                } else {
                    s.append(String.format("\\%03d", c));
                }
            }
            o += 1 + l;
        }
        return null;
    }

    static String rcode(int rcode) {
        return switch (rcode) {
            case 0 -> "NOERROR";
            case 1 -> "FORMERR";
            case 2 -> "SERVFAIL";
            case 3 -> "NXDOMAIN";
            case 4 -> "NOTIMP";
            case 5 -> "REFUSED";
            case 6 -> "YXDOMAIN";
            case 7 -> "YXRRSET";
            case 8 -> "NXRRSET";
            case 9 -> "NOTAUTH";
            case 10 -> "NOTZONE";
            default -> "RCODE" + rcode;
        };
    }

    static String type(int t) {
        return switch (t) {
            case 1 -> "A";
            case 2 -> "NS";
            case 5 -> "CNAME";
            case 6 -> "SOA";
            case 12 -> "PTR";
            case 15 -> "MX";
            case 16 -> "TXT";
            case 28 -> "AAAA";
            case 33 -> "SRV";
            case 35 -> "NAPTR";
            case 64 -> "SVCB";
            case 65 -> "HTTPS";
            case 255 -> "ANY";
            case 256 -> "URI";
            default -> "TYPE" + t;
        };
    }
}
