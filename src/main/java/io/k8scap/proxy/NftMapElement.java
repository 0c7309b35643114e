package io.k8scap.proxy;

import java.util.List;

/**
 * One element of a set or verdict map.
 *
 * @param key the key parts ({@code ["10.96.0.10", "udp", "53"]} for {@code ip . proto . port})
 * @param verdict goto/jump/drop/accept (null in plain sets)
 * @param target the chain of a goto/jump verdict
 */
public record NftMapElement(List<String> key, String comment, String verdict, String target) {
    /** {@code 10.96.0.10 . udp . 53} */
    public String keyText() {
        return String.join(" . ", key);
    }
}
