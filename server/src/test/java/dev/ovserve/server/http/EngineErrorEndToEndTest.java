package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ovserve.scheduler.ModelRunner;
import dev.ovserve.scheduler.ModelStep;
import dev.ovserve.scheduler.SequenceChunk;
import dev.ovserve.scheduler.StepLogits;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An {@link Error} thrown on the engine thread in the middle of a real model step (the real
 * runner, wrapped to throw when a step carries a poison token): that request gets a 500 in
 * OpenAI's shape, the engine serves the next request, /health stays ready with every block back.
 */
class EngineErrorEndToEndTest {
    static final int POISON = 383;

    record Poisoned(ModelRunner real) implements ModelRunner {
        @Override
        public StepLogits execute(ModelStep step) {
            for (SequenceChunk c : step.chunks()) {
                for (int t : c.tokens()) {
                    if (t == POISON) {
                        throw new AssertionError("injected engine failure");
                    }
                }
            }
            return real.execute(step);
        }

        @Override
        public int vocabSize() {
            return real.vocabSize();
        }

        @Override
        public int blockSize() {
            return real.blockSize();
        }

        @Override
        public int numBlocks() {
            return real.numBlocks();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void anErrorInAStepFailsItsRequestAndTheEngineServesTheNext() throws Exception {
        HttpClient http = Http.client();
        try (TinyServer server = TinyServer.startWrapped(Poisoned::new)) {
            Http.Reply poisoned = Http.post(http, server, "/v1/completions", "{\"prompt\":[1,2," + POISON + "],\"max_tokens\":4}");
            Http.assertError(poisoned, 500, null, "internal_error");
            for (int i = 0; i < 3; i++) {
                Http.Reply next = Http.post(http, server, "/v1/completions", "{\"prompt\":\"hello\",\"max_tokens\":4,\"n\":2}");
                assertEquals(200, next.status(), next::body);
                assertEquals(2, next.json().path("choices").size());
            }
            server.awaitIdle(Duration.ofSeconds(10));
            Http.Reply health = Http.get(http, server, "/health");
            assertEquals(200, health.status());
            assertEquals("ready", health.json().path("status").asText());
            assertEquals(0, health.json().path("devices").get(0).path("kv_blocks_used").asInt());
        }
    }
}
