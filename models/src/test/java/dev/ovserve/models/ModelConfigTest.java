package dev.ovserve.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json of several families, read by one generic reader. */
class ModelConfigTest {
    @TempDir
    Path tmp;

    @Test
    void contextLengthComesFromWhicheverFieldTheFamilyUses() {
        ModelConfig llama = ModelConfig.parse("""
                {"model_type": "llama", "max_position_embeddings": 8192, "bos_token_id": 128000,
                 "eos_token_id": [128001, 128008, 128009], "num_key_value_heads": 8}
                """);
        assertEquals(8192, llama.contextLength());
        assertEquals("max_position_embeddings", llama.contextField());
        assertEquals(128000, llama.bosTokenId());
        assertEquals(List.of(128001, 128008, 128009), llama.eosTokenIds());
        assertNull(llama.slidingWindow());

        ModelConfig gpt2 = ModelConfig.parse("""
                {"model_type": "gpt2", "n_positions": 1024, "n_ctx": 1024, "eos_token_id": 50256,
                 "scale_attn_by_inverse_layer_idx": true, "reorder_and_upcast_attn": true}
                """);
        assertEquals(1024, gpt2.contextLength(), "GPT-2 options that change the attention math do not stop loading an IR");
        assertEquals("n_positions", gpt2.contextField());
        assertEquals(List.of(50256), gpt2.eosTokenIds());

        assertEquals(2048, ModelConfig.parse("{\"model_type\": \"chatglm\", \"seq_length\": 2048}").contextLength());
        assertEquals(4096, ModelConfig.parse("{\"model_type\": \"gemma3\", \"text_config\": {\"max_position_embeddings\": 4096}}")
                .contextLength(), "multimodal wrappers keep the decoder's under text_config");
    }

    @Test
    void slidingWindowHonoursUseSlidingWindow() {
        assertEquals(4096, ModelConfig.parse("{\"max_position_embeddings\": 32768, \"sliding_window\": 4096}").slidingWindow());
        assertNull(ModelConfig.parse("""
                {"max_position_embeddings": 32768, "sliding_window": 4096, "use_sliding_window": false}
                """).slidingWindow(), "Qwen2 ships a window it does not use");
        assertNull(ModelConfig.parse("{\"max_position_embeddings\": 32768, \"sliding_window\": null}").slidingWindow());
    }

    @Test
    void maxModelLenCapsTheContext() {
        ModelConfig c = ModelConfig.parse("{\"max_position_embeddings\": 512}");
        assertEquals(512, c.servedContext(null));
        assertEquals(100, c.servedContext(100));
        var tooLong = assertThrows(IllegalArgumentException.class, () -> c.servedContext(513));
        assertTrue(tooLong.getMessage().contains("max_position_embeddings"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.servedContext(0));
    }

    @Test
    void aConfigWithoutAContextLengthIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.parse("{\"model_type\": \"bert\", \"hidden_size\": 8}"));
        assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.parse("{\"n_positions\": 8, \"eos_token_id\": \"</s>\"}"));
    }

    @Test
    void withoutGenerationConfigTheModelConfigsEosIsUsed() throws Exception {
        Files.writeString(tmp.resolve("config.json"), "{\"max_position_embeddings\": 64, \"bos_token_id\": 1, \"eos_token_id\": [2, 32000]}");
        GenerationConfig g = GenerationConfig.load(tmp);
        assertEquals(List.of(2, 32000), g.eosTokenIds());
        assertEquals(1, g.bosTokenId());
        Files.writeString(tmp.resolve("generation_config.json"), "{\"eos_token_id\": 7}");
        assertEquals(List.of(7), GenerationConfig.load(tmp).eosTokenIds(), "generation_config.json wins when present");
    }
}
