package dev.ovserve.server.api;

import java.util.Arrays;

/** One prompt of a completions request: text to tokenize, or token ids given by the client. */
public sealed interface PromptInput {
    /** Prompt length where it is known before tokenizing (token ids), else -1. */
    int knownTokenCount();

    record Text(String text) implements PromptInput {
        @Override
        public int knownTokenCount() {
            return -1;
        }
    }

    /** Token ids, each >= 0 (the vocabulary bound is the engine's check). Copied in and out. */
    record Tokens(int[] ids) implements PromptInput {
        public Tokens {
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        @Override
        public int knownTokenCount() {
            return ids.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tokens t && Arrays.equals(ids, t.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return "Tokens" + Arrays.toString(ids);
        }
    }
}
