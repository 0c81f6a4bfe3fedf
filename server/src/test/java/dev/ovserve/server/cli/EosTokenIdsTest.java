package dev.ovserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ovserve.tokenizer.TokenizerJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation stops at the model config's EOS ids and at the tokenizer's eos_token. */
class EosTokenIdsTest {
    @TempDir
    Path dir;

    @Test
    void configAndTokenizerEosAreBothStops() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"max_position_embeddings\": 64, \"eos_token_id\": [3, 7]}");
        assertEquals(Set.of(3, 7), EngineOptions.eosTokenIds(dir), "no generation_config.json: config.json's ids");
        TokenizerJson.bytes(300, dir); // eos_token <|endoftext|> = 256
        assertEquals(Set.of(3, 7, 256), EngineOptions.eosTokenIds(dir));
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 9}");
        assertEquals(Set.of(9, 256), EngineOptions.eosTokenIds(dir));
    }
}
