package dev.ovserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed, out-of-range and hostile requests against a live server (body limit 64 KiB): each
 * gets its documented status and an OpenAI error object with no stack trace, and the server
 * answers a normal request afterwards (checked after every test).
 */
class HostileRequestsTest {
    static final int BODY_LIMIT = 64 * 1024;
    static final String COMPLETIONS = "/v1/completions";
    static final String CHAT = "/v1/chat/completions";

    static TinyServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = TinyServer.start(TinyServer.defaultConfig(), null, new Limits(BODY_LIMIT, 1));
        http = Http.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** After every hostile request the server still serves both endpoints. */
    @AfterEach
    void stillServing() throws Exception {
        assertServing(http, server);
    }

    static void assertServing(HttpClient http, TinyServer server) throws Exception {
        Http.Reply c = Http.post(http, server, COMPLETIONS, "{\"model\":\"tiny\",\"prompt\":\"ok\",\"max_tokens\":2}");
        assertEquals(200, c.status(), c::body);
        assertEquals("text_completion", c.json().path("object").asText());
        Http.Reply chat = Http.post(http, server, CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"ok\"}],\"max_tokens\":2}");
        assertEquals(200, chat.status(), chat::body);
        assertEquals("chat.completion", chat.json().path("object").asText());
    }

    static Http.Reply completion(String singleQuotedJson) throws Exception {
        return Http.post(http, server, COMPLETIONS, singleQuotedJson.replace('\'', '"'));
    }

    static Http.Reply chat(String singleQuotedJson) throws Exception {
        return Http.post(http, server, CHAT, singleQuotedJson.replace('\'', '"'));
    }

    // ---- bodies that are not a JSON object

    @Test
    void badJsonIs400() throws Exception {
        Http.assertError(completion("{'model':'tiny','prompt':"), 400, null, null);
        Http.assertError(completion("{'model':'tiny','prompt':'x',}"), 400, null, null);
        Http.assertError(completion("{'prompt':'x'} trailing"), 400, null, null);
        Http.assertError(completion("{'prompt':'x','prompt':'y'}"), 400, null, null);
        Http.assertError(chat("[1,2,3]"), 400, null, null);
        Http.assertError(chat("\"just a string\""), 400, null, null);
        Http.assertError(Http.post(http, server, COMPLETIONS, ""), 400, null, null);
        Http.assertError(Http.post(http, server, CHAT, "   "), 400, null, null);
        Http.assertError(completion("{" + "'a':{".repeat(3000) + "}".repeat(3000) + "}"), 400, null, null);
    }

    @Test
    void invalidUtf8Is400() throws Exception {
        byte[] prefix = "{\"model\":\"tiny\",\"prompt\":\"ab".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\",\"max_tokens\":2}".getBytes(StandardCharsets.UTF_8);
        for (byte[] bad : new byte[][] {{(byte) 0xff}, {(byte) 0xc3}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}}) {
            byte[] body = new byte[prefix.length + bad.length + suffix.length];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            System.arraycopy(bad, 0, body, prefix.length, bad.length);
            System.arraycopy(suffix, 0, body, prefix.length + bad.length, suffix.length);
            Http.assertError(Http.post(http, server, COMPLETIONS, body, Map.of()), 400, null, null);
            Http.assertError(Http.post(http, server, CHAT, body, Map.of()), 400, null, null);
        }
        // A lone surrogate smuggled in through a JSON escape is not Unicode either.
        Http.assertError(completion("{'prompt':'a\\ud800b','max_tokens':2}"), 400, "prompt", "invalid_value");
    }

    // ---- wrong types and values

    @Test
    void wrongTypesNameTheParameter() throws Exception {
        Http.assertError(completion("{'prompt':'x','max_tokens':'ten'}"), 400, "max_tokens", "invalid_type");
        Http.assertError(completion("{'prompt':'x','max_tokens':1.5}"), 400, "max_tokens", "invalid_type");
        Http.assertError(completion("{'prompt':'x','temperature':'hot'}"), 400, "temperature", "invalid_type");
        Http.assertError(completion("{'prompt':'x','n':true}"), 400, "n", "invalid_type");
        Http.assertError(completion("{'prompt':'x','stream':'yes'}"), 400, "stream", "invalid_type");
        Http.assertError(completion("{'prompt':'x','stop':5}"), 400, "stop", "invalid_type");
        Http.assertError(completion("{'prompt':{'text':'x'}}"), 400, "prompt", "invalid_type");
        Http.assertError(completion("{'prompt':[1,'a']}"), 400, "prompt[1]", "invalid_type");
        Http.assertError(completion("{'prompt':'x','model':42}"), 400, "model", "invalid_type");
        Http.assertError(completion("{'max_tokens':2}"), 400, "prompt", "missing_required_parameter");
        Http.assertError(completion("{'prompt':'x','stream':true,'stream_options':{'include_usage':'yes'}}"), 400,
                "stream_options.include_usage", "invalid_type");
        Http.assertError(chat("{'messages':'hi'}"), 400, "messages", null);
        Http.assertError(chat("{'max_tokens':2}"), 400, "messages", null);
        Http.assertError(chat("{'messages':[{'role':'user','content':5}]}"), 400, "messages[0].content", "invalid_type");
        Http.assertError(chat("{'messages':[{'role':'user','content':'x'},{'role':'wizard','content':'x'}]}"), 400,
                "messages[1].role", null);
        Http.assertError(chat("{'messages':[{'role':'user','content':'x'}],'max_completion_tokens':'many'}"), 400,
                "max_completion_tokens", "invalid_type");
    }

    @Test
    void outOfRangeValuesAre400() throws Exception {
        Http.assertError(completion("{'prompt':'x','temperature':-1}"), 400, "temperature", null);
        Http.assertError(completion("{'prompt':'x','top_p':2}"), 400, "top_p", null);
        Http.assertError(completion("{'prompt':'x','n':0}"), 400, "n", null);
        Http.assertError(completion("{'prompt':'x','n':100000}"), 400, "n", null);
        Http.assertError(completion("{'prompt':'x','max_tokens':0}"), 400, "max_tokens", null);
        Http.assertError(completion("{'prompt':'x','max_tokens':-5}"), 400, "max_tokens", null);
        Http.assertError(completion("{'prompt':'x','max_tokens':99999999999999}"), 400, "max_tokens", null);
        Http.assertError(completion("{'prompt':'x','logprobs':50}"), 400, "logprobs", null);
        Http.assertError(completion("{'prompt':[1,-2]}"), 400, "prompt[1]", null);
        Http.assertError(completion("{'prompt':''}"), 400, "prompt", null);
        Http.assertError(completion("{'prompt':[]}"), 400, "prompt", null);
        Http.assertError(chat("{'messages':[]}"), 400, "messages", null);
        Http.assertError(chat("{'messages':[{'role':'user','content':'x'}],'top_p':0}"), 400, "top_p", null);
        Http.assertError(chat("{'messages':[{'role':'user','content':'x'}],'top_logprobs':3}"), 400, "top_logprobs", null);
        Http.assertError(chat("{'messages':[{'role':'user','content':'x'}],'temperature':-1}"), 400, "temperature", null);
    }

    @Test
    void valuesOnlyTheEngineCanCheckAre400() throws Exception {
        int vocab = server.runner.vocabSize();
        Http.assertError(completion("{'prompt':[1," + vocab + "],'max_tokens':2}"), 400);
        Http.assertError(completion("{'prompt':[1," + vocab + "],'max_tokens':2,'stream':true}"), 400);
        Http.assertError(completion("{'prompt':'x','max_tokens':2,'logit_bias':{'" + (vocab + 5) + "':3}}"), 400);
        Http.assertError(completion("{'prompt':'x','max_tokens':2,'stop_token_ids':[" + (vocab + 1) + "]}"), 400);
        Http.assertError(completion("{'prompt':'x','max_tokens':2,'logit_bias':{'abc':3}}"), 400, "logit_bias", null);
    }

    @Test
    void contextLimitsAre400ContextLengthExceeded() throws Exception {
        int maxLen = TinyServer.MAX_MODEL_LEN;
        Http.assertError(completion("{'prompt':'x','max_tokens':100000}"), 400, "prompt", "context_length_exceeded");
        Http.assertError(completion("{'prompt':'x','max_tokens':" + maxLen + "}"), 400, "prompt", "context_length_exceeded");
        Http.assertError(chat("{'messages':[{'role':'user','content':'x'}],'max_tokens':100000}"), 400, "messages",
                "context_length_exceeded");

        String longIds = IntStream.range(0, maxLen + 72).mapToObj(i -> Integer.toString(i % 250)).collect(Collectors.joining(","));
        Http.assertError(completion("{'prompt':[" + longIds + "]}"), 400, "prompt", "context_length_exceeded");
        String exactlyFull = IntStream.range(0, maxLen).mapToObj(i -> "7").collect(Collectors.joining(","));
        Http.assertError(completion("{'prompt':[" + exactlyFull + "],'max_tokens':1}"), 400, "prompt", "context_length_exceeded");
        String longText = "hello world ".repeat(200);
        Http.assertError(completion("{'prompt':'" + longText + "'}"), 400, "prompt", "context_length_exceeded");
        Http.assertError(chat("{'messages':[{'role':'user','content':'" + longText + "'}]}"), 400, "messages",
                "context_length_exceeded");

        // The last token that fits still works, and the default max_tokens is cut to the room left.
        String fits = IntStream.range(0, maxLen - 1).mapToObj(i -> "7").collect(Collectors.joining(","));
        Http.Reply ok = completion("{'prompt':[" + fits + "],'max_tokens':1,'ignore_eos':true}");
        assertEquals(200, ok.status(), ok::body);
        assertEquals(1, ok.json().path("usage").path("completion_tokens").asInt());
        Http.Reply cut = completion("{'prompt':[" + fits + "],'ignore_eos':true}");
        assertEquals(200, cut.status(), cut::body);
        assertEquals(1, cut.json().path("usage").path("completion_tokens").asInt());
        assertEquals("length", cut.json().path("choices").get(0).path("finish_reason").asText());
    }

    // ---- unsupported and unknown things

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        Http.Reply r = completion("{'model':'tiny','prompt':'x','max_tokens':2,'frobnicate':{'deep':[1,2,3]},'x-extra':null}");
        assertEquals(200, r.status(), r::body);
        Http.Reply c = chat("{'model':'tiny','messages':[{'role':'user','content':'x','name':'bob','weird':1}],'max_tokens':2,"
                + "'service_tier':'auto','metadata':{'a':'b'},'store':false,'parallel_tool_calls':true}");
        assertEquals(200, c.status(), c::body);
    }

    @Test
    void unsupportedParametersAre400() throws Exception {
        Http.assertError(completion("{'prompt':'x','suffix':'end'}"), 400, "suffix", null);
        Http.assertError(completion("{'prompt':'x','best_of':3}"), 400, "best_of", null);
        Http.assertError(completion("{'prompt':'x','best_of':1,'n':2}"), 400, "best_of", null);
        Http.assertError(completion("{'prompt':'x','echo':true,'logprobs':1}"), 400, "logprobs", null);
        Http.assertError(chat("{'messages':[{'role':'user','content':'x'}],'functions':[{'name':'f'}]}"), 400, "functions", null);
        Http.assertError(chat("{'messages':[{'role':'user','content':'x'}],'tools':[{'type':'code_interpreter'}]}"), 400,
                "tools[0].type", null);
        Http.assertError(completion("{'prompt':'x','structured_outputs':{'structural_tag':'{}'}}"), 400,
                "structured_outputs.structural_tag", null);
        assertEquals(200, completion("{'prompt':'x','best_of':1,'max_tokens':2}").status(), "best_of = n is fine");
    }

    @Test
    void unknownModelIs404() throws Exception {
        JsonNode e = Http.assertError(completion("{'model':'gpt-4o','prompt':'x'}"), 404, "model", "model_not_found");
        assertTrue(e.path("message").asText().contains("gpt-4o"), e::toString);
        Http.assertError(chat("{'model':'gpt-4o','messages':[{'role':'user','content':'x'}]}"), 404, "model", "model_not_found");
        Http.assertError(completion("{'model':'gpt-4o','prompt':'x','stream':true}"), 404, "model", "model_not_found");
    }

    @Test
    void unknownPathsAre404AndWrongMethodsAre405() throws Exception {
        Http.assertError(Http.get(http, server, "/nope"), 404);
        Http.assertError(Http.get(http, server, "/v1/engines"), 404);
        Http.assertError(Http.post(http, server, "/v1/completions/extra", "{}"), 404);
        Http.assertError(Http.get(http, server, COMPLETIONS), 405);
        Http.assertError(Http.get(http, server, CHAT), 405);
        Http.assertError(Http.send(http, server, CHAT, "DELETE", Map.of()), 405);
        Http.assertError(Http.post(http, server, "/v1/models", "{}"), 405);
        Http.assertError(Http.post(http, server, "/health", "{}"), 405);
        assertEquals(200, Http.get(http, server, "/v1/models?limit=5").status(), "a query string does not change the path");
    }

    // ---- sizes

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        String prompt = "a".repeat(BODY_LIMIT + 10);
        Http.RawReply r = rawPost(COMPLETIONS, ("{\"prompt\":\"" + prompt + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(413, r.status(), r::text);
        // Without a Content-Length (chunked upload) the limit holds as the bytes arrive.
        Http.RawReply chunked = rawChunkedPost(COMPLETIONS, ("{\"prompt\":\"" + prompt + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(413, chunked.status(), chunked::text);
        // Just under the limit is read, parsed and judged on its content (here: far too long a prompt).
        String under = "{\"prompt\":\"" + "a".repeat(BODY_LIMIT - 100) + "\"}";
        Http.assertError(Http.post(http, server, COMPLETIONS, under), 400, "prompt", "context_length_exceeded");
    }

    @Test
    void bodyOverTheLimitGetsAnOpenAiErrorObject() throws Exception {
        String prompt = "a".repeat(BODY_LIMIT + 10);
        Http.RawReply r = rawPost(COMPLETIONS, ("{\"prompt\":\"" + prompt + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(413, r.status());
        Http.assertNoStackTrace(r.text());
        JsonNode error = Http.JSON.readTree(r.text().isEmpty() ? "null" : r.text()).path("error");
        assertTrue(error.isObject() && error.path("message").isTextual(), "413 body is {\"error\": {...}}, got '" + r.text() + "'");
    }

    @Test
    void expect100ContinueIsHonoured() throws Exception {
        byte[] body = "{\"prompt\":\"continue\",\"max_tokens\":2}".getBytes(StandardCharsets.UTF_8);
        try (Socket s = Http.connect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(Http.request("POST", COMPLETIONS, server, "application/json", body, "Expect: 100-continue")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Http.RawReply interim = Http.readResponse(in);
            assertEquals(100, interim.status(), "100 Continue before the body is sent");
            out.write(body);
            out.flush();
            Http.RawReply r = Http.readResponse(in);
            assertEquals(200, r.status(), r::text);
        }
        // Announcing a body over the limit is refused before it is sent.
        try (Socket s = Http.connect(server)) {
            s.getOutputStream().write(("POST " + COMPLETIONS + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (BODY_LIMIT * 4) + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            assertEquals(413, Http.readResponse(s.getInputStream()).status());
        }
    }

    @Test
    void malformedHttpIs400() throws Exception {
        try (Socket s = Http.connect(server)) {
            s.getOutputStream().write("THIS IS NOT HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            Http.RawReply r = Http.readResponse(s.getInputStream());
            assertEquals(400, r.status(), r::text);
            Http.assertNoStackTrace(r.text());
        }
    }

    /** A POST over a raw socket: the body is written on another thread so a server that answers early is still heard. */
    static Http.RawReply rawPost(String path, byte[] body) throws Exception {
        try (Socket s = Http.connect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(Http.request("POST", path, server, "application/json", body).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(body);
                    out.flush();
                } catch (Exception ignored) {
                    // the server may close the connection before reading it all
                }
            });
            try {
                return Http.readResponse(in);
            } finally {
                writer.join(5000);
            }
        }
    }

    /** The same with Transfer-Encoding: chunked, 8 KiB per chunk, so the server only learns the size as it reads. */
    static Http.RawReply rawChunkedPost(String path, byte[] body) throws Exception {
        try (Socket s = Http.connect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(Http.request("POST", path, server, "application/json", null, "Transfer-Encoding: chunked")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int off = 0; off < body.length; off += 8192) {
                        int n = Math.min(8192, body.length - off);
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(body, off, n);
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (Exception ignored) {
                    // the server may close the connection before reading it all
                }
            });
            try {
                return Http.readResponse(in);
            } finally {
                writer.join(5000);
            }
        }
    }
}
