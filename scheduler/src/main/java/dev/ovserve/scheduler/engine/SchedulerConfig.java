package dev.ovserve.scheduler.engine;

/**
 * Iteration-level scheduling limits (vLLM names).
 *
 * @param maxNumSeqs           sequences running at once
 * @param maxNumBatchedTokens  tokens one step may carry (decodes + prefill chunks)
 * @param maxModelLen          prompt + output tokens a sequence may reach
 * @param maxWaitingRequests   requests accepted but not yet admitted; past it, submissions are refused
 * @param enablePrefixCaching  reuse computed KV blocks of identical prefixes
 */
public record SchedulerConfig(int maxNumSeqs, int maxNumBatchedTokens, int maxModelLen, int maxWaitingRequests,
                              boolean enablePrefixCaching) {
    public SchedulerConfig {
        if (maxNumSeqs < 1) {
            throw new IllegalArgumentException("--max-num-seqs must be at least 1");
        }
        if (maxNumBatchedTokens < 1) {
            throw new IllegalArgumentException("--max-num-batched-tokens must be at least 1");
        }
        if (maxModelLen < 2) {
            throw new IllegalArgumentException("--max-model-len must be at least 2");
        }
        if (maxWaitingRequests < 0) {
            throw new IllegalArgumentException("the waiting-queue limit cannot be negative");
        }
    }

    public SchedulerConfig withPrefixCaching(boolean on) {
        return new SchedulerConfig(maxNumSeqs, maxNumBatchedTokens, maxModelLen, maxWaitingRequests, on);
    }

    public SchedulerConfig withMaxNumBatchedTokens(int tokens) {
        return new SchedulerConfig(maxNumSeqs, tokens, maxModelLen, maxWaitingRequests, enablePrefixCaching);
    }

    public SchedulerConfig withMaxWaitingRequests(int n) {
        return new SchedulerConfig(maxNumSeqs, maxNumBatchedTokens, maxModelLen, n, enablePrefixCaching);
    }
}
