package io.k8scap.proxy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One {@code *table} … {@code COMMIT} block of iptables-save, chains in declaration order. */
public final class IptablesTable {
    private final String name;
    private final Map<String, IptablesChain> chains = new LinkedHashMap<>();
    private int ruleCount;

    IptablesTable(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Map<String, IptablesChain> chains() {
        return Collections.unmodifiableMap(chains);
    }

    public IptablesChain chain(String chain) {
        return chains.get(chain);
    }

    public int ruleCount() {
        return ruleCount;
    }

    IptablesChain declare(String chain, String policy) {
        return chains.computeIfAbsent(chain, c -> new IptablesChain(c, policy));
    }

    void add(IptablesRule rule, IptablesChain chain) {
        chain.add(rule);
        ruleCount++;
    }
}
