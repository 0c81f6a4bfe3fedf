package dev.ovserve.scheduler.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplingParamsTest {

    @Test
    void defaultsFollowOpenAi() {
        SamplingParams p = SamplingParams.builder().build();
        assertEquals(1.0, p.temperature());
        assertEquals(1.0, p.topP());
        assertEquals(0, p.topK());
        assertEquals(1.0, p.repetitionPenalty());
        assertEquals(1, p.n());
        assertEquals(16, p.maxTokens());
        assertFalse(p.greedy());
        assertFalse(p.processesLogits());
        assertFalse(p.logprobsRequested());
        assertTrue(p.stop().isEmpty() && p.stopTokenIds().isEmpty() && p.logitBias().isEmpty());
        assertTrue(SamplingParams.GREEDY.greedy());
        assertTrue(SamplingParams.builder().temperature(1e-6).build().greedy(), "vLLM treats T < 1e-5 as greedy");
    }

    @Test
    void toBuilderRoundTrips() {
        SamplingParams p = SamplingParams.builder().temperature(0.7).topP(0.9).topK(40).minP(0.05).repetitionPenalty(1.1)
                .presencePenalty(0.5).frequencyPenalty(-0.5).logitBias(Map.of(3, -100f)).seed(9L).logprobs(2).n(3)
                .maxTokens(100).stopTokenIds(Set.of(7)).ignoreEos(true).stop(List.of("\n\n")).build();
        assertEquals(p, p.toBuilder().build());
        assertEquals(0.3, p.toBuilder().temperature(0.3).build().temperature());
        assertTrue(p.processesLogits());
    }

    @Test
    void topKMinusOneMeansOff() {
        assertEquals(0, SamplingParams.builder().topK(-1).build().topK());
    }

    @Test
    void collectionsAreCopiedAndImmutable() {
        Map<Integer, Float> bias = new HashMap<>(Map.of(1, 2f));
        Set<Integer> ids = new HashSet<>(Set.of(5));
        List<String> stop = new ArrayList<>(List.of("x"));
        SamplingParams p = SamplingParams.builder().logitBias(bias).stopTokenIds(ids).stop(stop).build();
        bias.put(2, 3f);
        ids.add(6);
        stop.add("y");
        assertEquals(Map.of(1, 2f), p.logitBias());
        assertEquals(Set.of(5), p.stopTokenIds());
        assertEquals(List.of("x"), p.stop());
        assertThrows(UnsupportedOperationException.class, () -> p.stop().add("z"));
        assertThrows(UnsupportedOperationException.class, () -> p.logitBias().put(9, 1f));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("temperature", b -> b.temperature(-0.1)),
                bad("temperature", b -> b.temperature(Double.NaN)),
                bad("temperature", b -> b.temperature(Double.POSITIVE_INFINITY)),
                bad("top_p", b -> b.topP(0)),
                bad("top_p", b -> b.topP(1.01)),
                bad("top_p", b -> b.topP(Double.NaN)),
                bad("top_k", b -> b.topK(-2)),
                bad("min_p", b -> b.minP(-0.01)),
                bad("min_p", b -> b.minP(1.5)),
                bad("repetition_penalty", b -> b.repetitionPenalty(0)),
                bad("repetition_penalty", b -> b.repetitionPenalty(Double.POSITIVE_INFINITY)),
                bad("presence_penalty", b -> b.presencePenalty(2.01)),
                bad("presence_penalty", b -> b.presencePenalty(Double.NaN)),
                bad("frequency_penalty", b -> b.frequencyPenalty(-2.5)),
                bad("logit_bias", b -> b.logitBias(Map.of(1, 100.5f))),
                bad("logit_bias", b -> b.logitBias(Map.of(1, Float.NaN))),
                bad("logit_bias", b -> b.logitBias(Map.of(-1, 1f))),
                bad("logit_bias", b -> b.logitBias(nullValue())),
                bad("logprobs", b -> b.logprobs(21)),
                bad("logprobs", b -> b.logprobs(-1)),
                bad("n", b -> b.n(0)),
                bad("max_tokens", b -> b.maxTokens(0)),
                bad("stop_token_ids", b -> b.stopTokenIds(Set.of(-3))),
                bad("stop", b -> b.stop(List.of("ok", ""))),
                bad("stop", b -> b.stop(Arrays.asList("ok", null))),
                bad("stop", b -> b.stop(List.of("\uD83D"))),
                bad("stop", b -> b.stop(java.util.Collections.nCopies(SamplingParams.MAX_STOP_STRINGS + 1, "s"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void validationNamesTheParameter(String name, UnaryOperator<SamplingParams.Builder> change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> change.apply(SamplingParams.builder()).build());
        assertTrue(e.getMessage().startsWith(name + " "), e.getMessage());
    }

    @Test
    void boundariesAreAccepted() {
        SamplingParams.builder().temperature(0).topP(1).topK(1).minP(1).presencePenalty(-2).frequencyPenalty(2)
                .logitBias(Map.of(0, -100f, 1, 100f)).logprobs(0).build();
        SamplingParams.builder().logprobs(20).minP(0).topP(Double.MIN_VALUE).build();
    }

    @Test
    void vocabularyCheckNamesTheParameter() {
        SamplingParams p = SamplingParams.builder().logitBias(Map.of(99, 1f)).build();
        p.checkVocabulary(100);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.checkVocabulary(99)).getMessage().startsWith("logit_bias "));
        SamplingParams q = SamplingParams.builder().stopTokenIds(Set.of(50)).build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> q.checkVocabulary(50)).getMessage().startsWith("stop_token_ids "));
    }

    private static Map<Integer, Float> nullValue() {
        Map<Integer, Float> m = new HashMap<>();
        m.put(1, null);
        return m;
    }

    private static Arguments bad(String name, UnaryOperator<SamplingParams.Builder> change) {
        return Arguments.of(name, change);
    }
}
