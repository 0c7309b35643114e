package io.k8scap.proxy;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Module names from /proc/modules, modules.builtin and modules.dep, normalised ('-' → '_', no .ko suffix). */
public final class KernelModules {
    private KernelModules() {
    }

    /** {@code /proc/modules}: {@code ip_vs 155648 31 ip_vs_sh,ip_vs_wrr,ip_vs_rr, Live 0x0000000000000000} → ip_vs. */
    public static Set<String> loaded(String procModules) {
        Set<String> names = new HashSet<>();
        if (procModules == null) {
            return names;
        }
        for (String line : procModules.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty()) {
                int sp = t.indexOf(' ');
                names.add(normalise(sp < 0 ? t : t.substring(0, sp)));
            }
        }
        return names;
    }

    /**
     * {@code modules.builtin} ({@code kernel/net/netfilter/ipvs/ip_vs.ko}) or {@code modules.dep}
     * ({@code kernel/net/netfilter/ipvs/ip_vs_rr.ko.xz: kernel/…/ip_vs.ko.xz}) → module names.
     */
    public static Set<String> listed(String modulesFile) {
        Set<String> names = new HashSet<>();
        if (modulesFile == null) {
            return names;
        }
        for (String line : modulesFile.split("\n")) {
            String t = line.strip();
            int colon = t.indexOf(':');
            if (colon >= 0) {
                t = t.substring(0, colon);
            }
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String base = t.substring(t.lastIndexOf('/') + 1);
            int ko = base.indexOf(".ko");
            names.add(normalise(ko < 0 ? base : base.substring(0, ko)));
        }
        return names;
    }

    static String normalise(String name) {
        return name.replace('-', '_').toLowerCase(Locale.ROOT);
    }
}
