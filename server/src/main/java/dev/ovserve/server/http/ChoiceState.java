package dev.ovserve.server.http;

import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.scheduler.sampling.StopStringMatcher;
import dev.ovserve.tokenizer.IncrementalDetokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * One choice of a response, on its connection's event loop: turns tokens into text that never
 * splits a character and never shows a stop string, and remembers what is not yet written.
 */
final class ChoiceState {
    final int index;
    private final IncrementalDetokenizer detokenizer;
    private final StopStringMatcher stops;
    /** Text produced but not yet sent (streaming) or the whole text (non-streaming). */
    final StringBuilder pending = new StringBuilder();
    /** Tokens behind {@link #pending}, with their log-probabilities when requested. */
    final List<SampledToken> pendingTokens = new ArrayList<>();
    FinishReason finish;
    boolean finishSent;
    boolean roleSent;
    int tokens;
    long lastTokenNanos;

    ChoiceState(int index, IncrementalDetokenizer detokenizer, List<String> stopStrings) {
        this.index = index;
        this.detokenizer = detokenizer;
        this.stops = new StopStringMatcher(stopStrings);
    }

    /** Returns true when a stop string just matched: the engine should end this choice. */
    boolean onToken(SampledToken token) {
        tokens++;
        if (stops.stopped()) {
            return false;
        }
        pendingTokens.add(token);
        StopStringMatcher.Result r = stops.feed(detokenizer.next(token.token()));
        pending.append(r.text());
        if (r.stopped()) {
            finish = FinishReason.STOP;
            return true;
        }
        return false;
    }

    void onFinish(FinishReason reason) {
        if (!stops.stopped()) {
            pending.append(stops.feed(detokenizer.flush()).text());
            pending.append(stops.flush().text());
        }
        if (finish == null) {
            finish = stops.stopped() ? FinishReason.STOP : reason;
        }
    }

    boolean hasPending() {
        return !pending.isEmpty() || !pendingTokens.isEmpty();
    }

    String takeText() {
        String s = pending.toString();
        pending.setLength(0);
        return s;
    }

    List<SampledToken> takeTokens() {
        List<SampledToken> t = List.copyOf(pendingTokens);
        pendingTokens.clear();
        return t;
    }
}
