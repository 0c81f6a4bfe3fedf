package dev.ovserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromptMixTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LoadSettings settings(String mix, int sharedPrefix, double disconnectShare, long seed) {
        return LoadSettings.fromSystemProperties(Map.of("mix", mix, "sharedPrefix", Integer.toString(sharedPrefix),
                "disconnectShare", Double.toString(disconnectShare), "seed", Long.toString(seed)));
    }

    private static List<Map<String, Object>> take(LoadSettings s, int n) {
        Iterator<Map<String, Object>> feeder = PromptMix.parse(s.mix()).feeder(s);
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(feeder.next());
        }
        return records;
    }

    private static String prompt(Map<String, Object> record) throws Exception {
        return JSON.readTree((String) record.get("completionBody")).get("prompt").asText();
    }

    @Test
    void parsesEntriesWithOptionalWeights() {
        assertEquals(List.of(new PromptMix.Entry(32, 16, 3), new PromptMix.Entry(512, 64, 1)),
                PromptMix.parse("32:16:3, 512:64").entries());
    }

    @Test
    void refusesMalformedMixes() {
        for (String bad : List.of("128", "1:2:3:4", "0:8", "8:-1", "8:8:0", "a:b")) {
            assertThrows(IllegalArgumentException.class, () -> PromptMix.parse(bad), bad);
        }
    }

    @Test
    void everyWordIsOneGpt2TokenAfterASpace() throws Exception {
        Path encoder = Path.of(System.getProperty("ovserve.home"), "gpt2-bpe", "encoder.json");
        JsonNode vocab = JSON.readTree(Files.readString(encoder));
        for (String word : PromptMix.WORDS) {
            assertTrue(vocab.has("\u0120" + word), "\" " + word + "\" is not a single GPT-2 token");
        }
        assertEquals(PromptMix.WORDS.size(), new HashSet<>(PromptMix.WORDS).size(), "duplicate words");
    }

    @Test
    void promptsHaveTheirTokenCountInWordsAndFollowTheWeights() throws Exception {
        List<Map<String, Object>> records = take(settings("16:4:3,64:8:1", 0, 0, 7), 400);
        int shortOnes = 0;
        for (Map<String, Object> r : records) {
            int tokens = (int) r.get("promptTokens");
            assertEquals(tokens, prompt(r).split(" ", -1).length - 1, "one leading space per word");
            assertEquals(tokens == 16 ? 4 : 8, r.get("maxTokens"));
            shortOnes += tokens == 16 ? 1 : 0;
        }
        assertTrue(shortOnes > 260 && shortOnes < 340, "about 3 in 4 short prompts, got " + shortOnes);
    }

    @Test
    void sharedPrefixIsCommonAndTheRestDiffers() throws Exception {
        List<Map<String, Object>> records = take(settings("40:8", 32, 0, 3), 20);
        Set<String> prefixes = new HashSet<>();
        Set<String> suffixes = new HashSet<>();
        for (Map<String, Object> r : records) {
            List<String> words = List.of(prompt(r).strip().split(" "));
            prefixes.add(String.join(" ", words.subList(0, 32)));
            suffixes.add(String.join(" ", words.subList(32, 40)));
        }
        assertEquals(1, prefixes.size());
        assertEquals(20, suffixes.size());
        assertThrows(IllegalArgumentException.class, () -> take(settings("16:8", 32, 0, 3), 1));
    }

    @Test
    void suppressedTokensJoinTheEosBias(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path ids = Files.writeString(dir.resolve("ids.json"), "[94, 95, 127]");
        LoadSettings s = LoadSettings.fromSystemProperties(Map.of("mix", "8:4", "suppressTokensFile", ids.toString()));
        JsonNode bias = JSON.readTree((String) take(s, 1).getFirst().get("completionBody")).get("logit_bias");
        assertEquals(Set.of("50256", "94", "95", "127"), Set.copyOf(iterableToList(bias.fieldNames())));
        LoadSettings none = LoadSettings.fromSystemProperties(Map.of("mix", "8:4", "eosToken", "-1"));
        assertTrue(JSON.readTree((String) take(none, 1).getFirst().get("chatBody")).path("logit_bias").isMissingNode());
    }

    private static List<String> iterableToList(Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    @Test
    void sameSeedSameRequestsAndBodiesAreWellFormed() throws Exception {
        List<Map<String, Object>> a = take(settings("24:12", 0, 0.25, 11), 200);
        assertEquals(a, take(settings("24:12", 0, 0.25, 11), 200));
        assertNotEquals(a, take(settings("24:12", 0, 0.25, 12), 200));
        long hangUps = a.stream().filter(r -> (boolean) r.get("disconnect")).count();
        assertTrue(hangUps > 30 && hangUps < 70, "about a quarter hang up, got " + hangUps);

        JsonNode stream = JSON.readTree((String) a.getFirst().get("streamCompletionBody"));
        assertTrue(stream.get("stream").asBoolean());
        assertEquals(12, stream.get("max_tokens").asInt());
        assertEquals(-100, stream.at("/logit_bias/50256").asInt());
        JsonNode chat = JSON.readTree((String) a.getFirst().get("chatBody"));
        assertEquals("user", chat.at("/messages/0/role").asText());
        assertEquals(prompt(a.getFirst()).strip(), chat.at("/messages/0/content").asText());
        assertTrue(!chat.get("stream").asBoolean());
    }
}
