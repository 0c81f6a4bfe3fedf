package dev.ovserve.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a request body into a JSON object, refusing with a 400 {@link ApiException}: bytes that
 * are not UTF-8 (strictly: no overlong forms, no encoded surrogates), malformed JSON, duplicate
 * keys, anything after the top-level value, or a top-level value that is not an object.
 */
public final class RequestJson {
    private static final ObjectReader READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .reader();

    private RequestJson() {}

    public static ObjectNode parse(byte[] body) {
        return parse(ByteBuffer.wrap(body));
    }

    /** Reads {@code body} from its position to its limit without moving either. */
    public static ObjectNode parse(ByteBuffer body) {
        String text = decodeUtf8(body.duplicate());
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1); // RFC 8259 lets a parser ignore a byte order mark.
        }
        if (text.isBlank()) {
            throw ApiException.invalidRequest(null, "The request body is empty; expected a JSON object.");
        }
        JsonNode root;
        try {
            root = READER.readTree(text);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw ApiException.invalidRequest(null, "We could not parse the JSON body of your request: "
                    + problem(e) + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (!(root instanceof ObjectNode object)) {
            throw ApiException.invalidRequest(null, "The request body must be a JSON object.");
        }
        return object;
    }

    /** The parser's own words, unless they name its internals (constraint classes, settings, Java types). */
    private static String problem(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            return "the JSON is nested too deeply, or a number or string in it is too long";
        }
        String m = e.getOriginalMessage();
        if (m == null || m.contains("`") || m.contains("com.fasterxml") || m.contains("jackson") || m.contains("Feature")) {
            return "the body is not well-formed JSON";
        }
        return ApiException.excerpt(m.length() > 200 ? m.substring(0, 200) : m);
    }

    private static String decodeUtf8(ByteBuffer in) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = in.position();
        CharBuffer out = CharBuffer.allocate(in.remaining());
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw ApiException.invalidRequest(null, "The request body is not valid UTF-8 (invalid byte sequence at offset "
                    + (in.position() - start) + ").");
        }
        return out.flip().toString();
    }
}
