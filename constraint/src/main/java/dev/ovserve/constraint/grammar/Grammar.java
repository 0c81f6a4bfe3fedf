package dev.ovserve.constraint.grammar;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Named rules over {@link Expr}; {@code root} is where matching starts. Built by a front end. */
public final class Grammar {
    private final Map<String, Expr> rules = new LinkedHashMap<>();
    private final String root;

    public Grammar(String root) {
        this.root = root;
    }

    public Grammar define(String name, Expr body) {
        rules.put(name, body);
        return this;
    }

    public boolean has(String name) {
        return rules.containsKey(name);
    }

    public String root() {
        return root;
    }

    public Map<String, Expr> rules() {
        return Collections.unmodifiableMap(rules);
    }
}
