package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request the API refuses, carrying everything of OpenAI's error object
 * {@code {"error": {"message", "type", "param", "code"}}} and the HTTP status. The message is meant
 * for the client; it never holds a stack trace (none is even recorded).
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String SERVER_ERROR = "server_error";

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    /** Longest message sent: client values are echoed only as {@link #excerpt}s, this bounds the rest. */
    static final int MAX_MESSAGE_CHARS = 1024;
    /** How much of a client's value an error message repeats. */
    static final int EXCERPT_CHARS = 64;

    public ApiException(int status, String type, String param, String code, String message) {
        super(clean(message, MAX_MESSAGE_CHARS), null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** The request field at fault (e.g. {@code "max_tokens"}, {@code "messages[1].content"}), or null. */
    public String param() {
        return param;
    }

    /** OpenAI's machine-readable code (e.g. {@code "invalid_type"}), or null. */
    public String code() {
        return code;
    }

    /** The response body: {@code {"error": {"message", "type", "param", "code"}}}, nulls written out. */
    public byte[] toJson() {
        return JsonOutput.write(128 + getMessage().length(), g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", getMessage());
            g.writeStringField("type", type);
            g.writeStringField("param", param);
            g.writeStringField("code", code);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    public static ApiException invalidRequest(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param, null, message);
    }

    public static ApiException invalidValue(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param, "invalid_value", message);
    }

    /** Worded as OpenAI does: "Invalid type for 'n': expected an integer, but got a string instead." */
    public static ApiException invalidType(String param, String expected, JsonNode got) {
        return new ApiException(400, INVALID_REQUEST, param, "invalid_type",
                "Invalid type for '" + param + "': expected " + expected + ", but got " + describe(got) + " instead.");
    }

    public static ApiException missing(String param) {
        return new ApiException(400, INVALID_REQUEST, param, "missing_required_parameter",
                "Missing required parameter: '" + param + "'.");
    }

    /** A parameter OpenAI defines that this server does not implement. */
    public static ApiException unsupportedParameter(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param, "unsupported_parameter", message);
    }

    /** A value of a supported parameter that this server does not implement. */
    public static ApiException unsupportedValue(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param, "unsupported_value", message);
    }

    public static ApiException contextLengthExceeded(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param, "context_length_exceeded", message);
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, INVALID_REQUEST, "model", "model_not_found",
                "The model '" + excerpt(model) + "' does not exist.");
    }

    /**
     * A client's value as an error message may repeat it: at most {@value #EXCERPT_CHARS}
     * characters (then "…"), unpaired surrogates written out as {@code \uD800} text so strict JSON
     * parsers accept the response.
     */
    public static String excerpt(String value) {
        return value == null ? "null" : clean(value, EXCERPT_CHARS);
    }

    private static String clean(String s, int max) {
        if (s == null) {
            return "";
        }
        boolean cut = s.length() > max;
        int end = cut ? max : s.length();
        if (cut && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never split a pair
        }
        var out = new StringBuilder(end + 8);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return cut ? out.append('…').toString() : out.toString();
    }

    public static ApiException serverError(String message) {
        return new ApiException(500, SERVER_ERROR, null, null, message);
    }

    private static final Pattern LEADING_PARAM = Pattern.compile("^([a-z_]+)\\b");

    /**
     * {@link dev.ovserve.scheduler.sampling.SamplingParams} words every violation starting with the
     * parameter's OpenAI name ("top_p must be in (0, 1]..."); that name becomes {@code param}.
     */
    public static ApiException fromSamplingParams(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "invalid sampling parameters" : e.getMessage();
        Matcher m = LEADING_PARAM.matcher(message);
        return invalidValue(m.find() ? m.group(1) : null, message);
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "an unsupported value";
        };
    }
}
