package dev.ovserve.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.doIfOrElse;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;

/**
 * The OpenAI-compatible calls a simulation makes. Streams are timed twice: the
 * {@code first event} check measures time to the first token; the enclosing group measures
 * the whole stream (gatling.conf switches groups to wall time).
 */
final class OpenAiCalls {
    /** Generous, so a saturated server's queueing shows as latency rather than as failure. */
    static final Duration STREAM_TIMEOUT = Duration.ofMinutes(10);
    /** How long a hanging-up client listens before it goes. */
    static final Duration HANG_UP_AFTER = Duration.ofMillis(500);

    /** The group, inside each stream's, that times the wait for the first event. */
    static final String FIRST_EVENT = "time to first event";
    static final String HUNG_UP = ", hung up";
    private static final String STARTED_AT = "startedAt";
    private static final String FIRST_EVENT_AT = "firstEventAt";

    private OpenAiCalls() {}

    static HttpProtocolBuilder protocol(LoadSettings settings) {
        HttpProtocolBuilder protocol = http.baseUrl(settings.baseUrl())
                .contentTypeHeader("application/json")
                .acceptHeader("application/json, text/event-stream");
        return settings.apiKey().isEmpty() ? protocol : protocol.authorizationHeader("Bearer " + settings.apiKey());
    }

    /** A non-streaming completion; checks that the server generated exactly what was asked for. */
    static ChainBuilder completion() {
        return timed("completion", http("completion").post("/v1/completions").body(StringBody("#{completionBody}"))
                .check(status().is(200),
                        jsonPath("$.usage.completion_tokens").ofInt().isEL("#{maxTokens}"),
                        jsonPath("$.usage.prompt_tokens").ofInt().isEL("#{promptTokens}")));
    }

    static ChainBuilder chat() {
        return timed("chat", http("chat").post("/v1/chat/completions").body(StringBody("#{chatBody}"))
                .check(status().is(200),
                        jsonPath("$.choices[0].message.role").is("assistant"),
                        jsonPath("$.usage.completion_tokens").ofInt().isEL("#{maxTokens}")));
    }

    static ChainBuilder streamCompletion() {
        return stream("completion stream", "/v1/completions", "#{streamCompletionBody}");
    }

    static ChainBuilder streamChat() {
        return stream("chat stream", "/v1/chat/completions", "#{streamChatBody}");
    }

    /**
     * A stream read to its end, or, for users the feeder marked to disconnect, abandoned shortly
     * after its first event (the server must then cancel the sequence and free its KV blocks).
     * The inner group times request start to first event whether the server sends its headers
     * at once or with the first token.
     */
    private static ChainBuilder stream(String name, String path, String body) {
        ChainBuilder toFirstEvent = group(FIRST_EVENT).on(exec(sse(name).sseName(name).post(path).body(StringBody(body))
                .await(STREAM_TIMEOUT).on(sse.checkMessage(name + ": first event").check(substring("choices")))));
        ChainBuilder rest = exec(sse(name).sseName(name).setCheck()
                .await(STREAM_TIMEOUT).on(sse.checkMessage(name + ": rest").matching(substring("[DONE]"))));
        ChainBuilder firstEventSeen = exec(session -> session.set(FIRST_EVENT_AT, Timings.nowMs()));
        return exec(session -> session.set(STARTED_AT, Timings.nowMs()))
                .doIfOrElse("#{disconnect}").then(group(name + HUNG_UP).on(toFirstEvent, firstEventSeen,
                        pause(HANG_UP_AFTER).exec(sse(name + ": hang up").sseName(name).close())))
                .orElse(group(name).on(toFirstEvent, firstEventSeen, rest.exec(sse(name + ": close").sseName(name).close())))
                .exec(session -> record(name, session));
    }

    private static ChainBuilder timed(String name, ActionBuilder call) {
        return exec(session -> session.set(STARTED_AT, Timings.nowMs())).exec(call).exec(session -> record(name, session));
    }

    private static Session record(String kind, Session session) {
        boolean stream = session.contains(FIRST_EVENT_AT);
        Timings.add(new Timings.Call(kind, !session.isFailed(), stream && session.getBoolean("disconnect"),
                session.getInt("promptTokens"), session.getInt("maxTokens"), session.getDouble(STARTED_AT),
                stream ? session.getDouble(FIRST_EVENT_AT) : Double.NaN, Timings.nowMs()));
        return session;
    }
}
