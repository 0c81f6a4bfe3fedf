package dev.ovserve.server.api;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.function.Executable;

/** Shared checks: a refusal is an {@link ApiException} with exactly this status, type, param and code. */
final class ApiAssertions {
    private ApiAssertions() {}

    static ApiException assertRefused(int status, String param, String code, Executable call) {
        ApiException e = assertThrows(ApiException.class, call);
        assertAll(
                () -> assertEquals(status, e.status(), "status of: " + e.getMessage()),
                () -> assertEquals(ApiException.INVALID_REQUEST, e.type(), "type of: " + e.getMessage()),
                () -> assertEquals(param, e.param(), "param of: " + e.getMessage()),
                () -> assertEquals(code, e.code(), "code of: " + e.getMessage()));
        return e;
    }

    static ApiException assertBadRequest(String param, String code, Executable call) {
        return assertRefused(400, param, code, call);
    }

    /** JSON written with single quotes for readability. */
    static byte[] json(String singleQuoted) {
        return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    static CompletionRequest completion(String singleQuotedJson) {
        return CompletionRequest.parse(json(singleQuotedJson));
    }

    static ChatCompletionRequest chat(String singleQuotedJson) {
        return ChatCompletionRequest.parse(json(singleQuotedJson));
    }
}
