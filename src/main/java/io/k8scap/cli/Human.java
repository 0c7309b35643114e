package io.k8scap.cli;

import java.util.Locale;

/** Numbers for people: {@code 1,204}, {@code 1.3 MB}, {@code 42 kB/s} (decimal units, as tcpdump and Wireshark print). */
final class Human {
    private Human() {}

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long b) {
        if (b < 1000) {
            return b + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = b;
        int i = -1;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[i]);
    }
}
