package dev.ovserve.scheduler;

/**
 * One sequence's share of a step: {@code tokens} go to positions {@code pastLength ..
 * pastLength + tokens.length - 1}, after the {@code pastLength} tokens whose keys and values are
 * already in the blocks of {@code blockTable} (which covers every position up to the last new
 * one). {@code sample} asks for the logits after the last token.
 */
public record SequenceChunk(long sequenceId, int[] tokens, int pastLength, int[] blockTable, boolean sample) {
    public SequenceChunk {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a chunk needs at least one token");
        }
        if (pastLength < 0) {
            throw new IllegalArgumentException("negative past length");
        }
    }

    public int endPosition() {
        return pastLength + tokens.length;
    }
}
