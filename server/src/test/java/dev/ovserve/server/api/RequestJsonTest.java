package dev.ovserve.server.api;

import static dev.ovserve.server.api.ApiAssertions.assertBadRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RequestJsonTest {
    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** {"prompt":"<bad bytes>"} */
    private static byte[] promptWith(byte[] bad) {
        byte[] head = "{\"prompt\":\"a".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
        var out = ByteBuffer.allocate(head.length + bad.length + tail.length).put(head).put(bad).put(tail);
        return out.array();
    }

    @Test
    void invalidUtf8IsA400NamingTheOffset() {
        // A lone continuation byte, 11 bytes in.
        var e = assertBadRequest(null, null, () -> RequestJson.parse(promptWith(bytes(0x80))));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
        assertTrue(e.getMessage().contains("offset 12"), e.getMessage());
    }

    @Test
    void everyKindOfMalformedUtf8IsRefused() {
        int[][] bad = {
                {0xFF},                   // never valid
                {0xC0, 0xAF},             // overlong '/'
                {0xE0, 0x80, 0xAF},       // overlong, 3 bytes
                {0xED, 0xA0, 0x80},       // an encoded surrogate (CESU-8)
                {0xF4, 0x90, 0x80, 0x80}, // above U+10FFFF
                {0xE2, 0x82},             // truncated inside the string
        };
        for (int[] b : bad) {
            assertBadRequest(null, null, () -> RequestJson.parse(promptWith(bytes(b))));
        }
        assertBadRequest(null, null, () -> RequestJson.parse(bytes('{', '}', 0xE2))); // truncated at the end
    }

    @Test
    void validMultibyteUtf8AndAByteOrderMarkAreAccepted() {
        String text = "h\u00e9 \u20ac \uD83D\uDE00";
        var node = RequestJson.parse(("\uFEFF{\"prompt\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(text, node.get("prompt").textValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "{\"a\":NaN}", "{\"a\":01}", "{\"a\":1} {\"b\":2}",
            "{\"a\":1}]", "{\"a\":1,\"a\":2}", "{\"a\":\"x\" // comment\n}"})
    void malformedJsonIsA400WithoutStackTrace(String body) {
        var e = assertBadRequest(null, null, () -> RequestJson.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("We could not parse the JSON body of your request"), e.getMessage());
        assertFalse(e.getMessage().contains("\tat "), e.getMessage());
        assertEquals(0, e.getStackTrace().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"text\"", "42", "null", "true"})
    void topLevelMustBeAnObject(String body) {
        var e = assertBadRequest(null, null, () -> RequestJson.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals("The request body must be a JSON object.", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \n"})
    void emptyBodyIsA400(String body) {
        var e = assertBadRequest(null, null, () -> RequestJson.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("empty"));
    }

    @Test
    void byteBufferIsReadFromPositionToLimitAndLeftAlone() {
        byte[] framed = "xx{\"a\":1}yy".getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(framed, 2, 7);
        assertEquals(1, RequestJson.parse(buffer).get("a").intValue());
        assertEquals(2, buffer.position());
        assertEquals(9, buffer.limit());
    }
}
