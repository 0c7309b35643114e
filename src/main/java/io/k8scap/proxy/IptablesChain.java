package io.k8scap.proxy;

import java.util.ArrayList;
import java.util.List;

/** A chain of one table: built-in chains have a policy, user chains have "-". */
public final class IptablesChain {
    private final String name;
    private final String policy;
    private final List<IptablesRule> rules = new ArrayList<>();

    IptablesChain(String name, String policy) {
        this.name = name;
        this.policy = policy;
    }

    public String name() {
        return name;
    }

    public String policy() {
        return policy;
    }

    public List<IptablesRule> rules() {
        return rules;
    }

    void add(IptablesRule rule) {
        rules.add(rule);
    }
}
