package io.k8scap.proxy;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The dummy interface IPVS mode binds every service IP to, from {@code ip addr show dev kube-ipvs0} (also the
 * {@code -o} one-line form). State DOWN and NOARP are normal for it.
 *
 * @param exists false when the output is empty or says the device does not exist
 */
public record KubeIpvs0(boolean exists, String state, Set<String> addresses) {

    public static KubeIpvs0 parse(String text) {
        if (text == null || text.isBlank() || text.contains("does not exist")) {
            return new KubeIpvs0(false, null, Set.of());
        }
        Set<String> addresses = new LinkedHashSet<>();
        String state = null;
        String[] f = text.split("\\s+");
        for (int i = 0; i < f.length - 1; i++) {
            if (f[i].equals("inet") || f[i].equals("inet6")) {
                String a = f[i + 1];
                int slash = a.indexOf('/');
                addresses.add(slash < 0 ? a : a.substring(0, slash));
            } else if (f[i].equals("state") && state == null) {
                state = f[i + 1];
            }
        }
        return new KubeIpvs0(true, state, java.util.Collections.unmodifiableSet(addresses));
    }
}
