package dev.ovserve.scheduler;

import java.util.List;

/** The work of one engine step: KV block copies to do first, then the chunks to run together. */
public record ModelStep(List<SequenceChunk> chunks, List<BlockCopy> copies) {
    public ModelStep {
        chunks = List.copyOf(chunks);
        copies = List.copyOf(copies);
    }

    public int tokenCount() {
        int n = 0;
        for (SequenceChunk c : chunks) {
            n += c.tokens().length;
        }
        return n;
    }

    public int sampledCount() {
        int n = 0;
        for (SequenceChunk c : chunks) {
            if (c.sample()) {
                n++;
            }
        }
        return n;
    }
}
