package io.k8scap.node;

import java.util.List;

/**
 * A network interface as {@code ip -o -d link} / {@code ip -o addr} show it.
 *
 * @param name      e.g. {@code eth0}, {@code calid97ed9edaec}
 * @param index     ifindex in its own network namespace
 * @param peerIndex the {@code @ifN} of a veth (ifindex of the peer, in the peer's netns), or -1
 * @param kind      link kind from {@code ip -d}: {@code veth}, {@code ipvlan}, {@code macvlan}, {@code bridge}, … or "" when none
 * @param addresses CIDR addresses, e.g. {@code 10.244.1.7/24}
 */
public record NetInterface(String name, int index, int peerIndex, String kind, List<String> addresses) {

    public NetInterface {
        kind = kind == null ? "" : kind;
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }

    /** As {@code ip link} prints it: {@code eth0@if19}, or the bare name without a peer. */
    public String display() {
        return peerIndex >= 0 ? name + "@if" + peerIndex : name;
    }
}
