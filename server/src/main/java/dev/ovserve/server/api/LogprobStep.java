package dev.ovserve.server.api;

import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.TokenLogprob;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** One generated position: the sampled token and the most likely alternatives, most likely first. */
public record LogprobStep(LogprobToken sampled, List<LogprobToken> top) {
    public LogprobStep {
        top = List.copyOf(top);
    }

    /**
     * Turns the engine's {@link SampledToken} (which must carry a logprob) into text.
     *
     * @param tokenBytes a token id's bytes (for byte-level BPE, the token's raw bytes; otherwise
     *     the UTF-8 of its decoded text)
     */
    public static LogprobStep of(SampledToken token, IntFunction<byte[]> tokenBytes) {
        var top = new ArrayList<LogprobToken>(token.topLogprobs().size());
        for (TokenLogprob alternative : token.topLogprobs()) {
            top.add(LogprobToken.ofBytes(tokenBytes.apply(alternative.token()), alternative.logprob()));
        }
        return new LogprobStep(LogprobToken.ofBytes(tokenBytes.apply(token.token()), token.logprob()), top);
    }
}
