package dev.ovserve.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2ConfigTest {
    @TempDir
    Path tmp;

    /** The fields of distilgpt2's config.json as published on the Hugging Face hub. */
    static final String DISTILGPT2_CONFIG = """
            {
              "_num_labels": 1,
              "activation_function": "gelu_new",
              "architectures": ["GPT2LMHeadModel"],
              "attn_pdrop": 0.1,
              "bos_token_id": 50256,
              "embd_pdrop": 0.1,
              "eos_token_id": 50256,
              "id2label": {"0": "LABEL_0"},
              "initializer_range": 0.02,
              "label2id": {"LABEL_0": 0},
              "layer_norm_epsilon": 1e-05,
              "model_type": "gpt2",
              "n_ctx": 1024,
              "n_embd": 768,
              "n_head": 12,
              "n_layer": 6,
              "n_positions": 1024,
              "resid_pdrop": 0.1,
              "summary_activation": null,
              "summary_first_dropout": 0.1,
              "summary_proj_to_labels": true,
              "summary_type": "cls_index",
              "summary_use_proj": true,
              "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
              "vocab_size": 50257
            }
            """;

    @Test
    void parsesDistilgpt2Config() {
        Gpt2Config c = Gpt2Config.parse(DISTILGPT2_CONFIG);
        assertEquals(6, c.nLayer());
        assertEquals(12, c.nHead());
        assertEquals(768, c.nEmbd());
        assertEquals(64, c.headDim());
        assertEquals(50257, c.vocabSize());
        assertEquals(1024, c.nPositions());
        assertEquals(1024, c.nCtx());
        assertEquals(3072, c.nInner(), "absent n_inner means 4 * n_embd");
        assertEquals(1e-5, c.layerNormEpsilon());
        assertEquals("gelu_new", c.activationFunction());
        assertTrue(c.tanhGelu());
        assertEquals(50256, c.bosTokenId());
        assertEquals(50256, c.eosTokenId());
        assertTrue(c.scaleAttnWeights());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(Gpt2Shape.DISTILGPT2, c.shape());
        assertEquals(Gpt2Config.of(Gpt2Shape.DISTILGPT2), c);
    }

    @Test
    void explicitValuesOverrideDefaults() {
        Gpt2Config c = Gpt2Config.parse("""
                {"model_type": "gpt2", "n_layer": 2, "n_head": 2, "n_embd": 8, "vocab_size": 11, "n_positions": 16,
                 "n_inner": 24, "activation_function": "gelu", "layer_norm_epsilon": 1e-6,
                 "bos_token_id": 3, "eos_token_id": 4, "scale_attn_weights": false, "tie_word_embeddings": false}
                """);
        assertEquals(16, c.nCtx(), "n_ctx falls back to n_positions");
        assertEquals(24, c.nInner());
        assertFalse(c.tanhGelu());
        assertEquals(1e-6, c.layerNormEpsilon());
        assertEquals(3, c.bosTokenId());
        assertEquals(4, c.eosTokenId());
        assertFalse(c.scaleAttnWeights());
        assertFalse(c.tieWordEmbeddings());
        assertThrows(IllegalStateException.class, c::shape, "n_inner != 4E has no Gpt2Shape");
    }

    @Test
    void rejectsOtherModelsAndBadValues() {
        var e = assertThrows(IllegalArgumentException.class, () -> Gpt2Config.parse("{\"model_type\": \"llama\", \"n_layer\": 2}"));
        assertTrue(e.getMessage().contains("'llama'") && e.getMessage().contains("gpt2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Gpt2Config.parse("{\"n_layer\": 2}"));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gpt2Config.parse("{\"model_type\": \"gpt2\", \"activation_function\": \"relu\"}"));
        assertTrue(e.getMessage().contains("relu"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gpt2Config.parse("{\"model_type\": \"gpt2\", \"n_embd\": 10, \"n_head\": 4}"));
        assertTrue(e.getMessage().contains("divisible"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gpt2Config.parse("{\"model_type\": \"gpt2\", \"n_layer\": \"six\"}"));
        assertThrows(IllegalArgumentException.class,
                () -> Gpt2Config.parse("{\"model_type\": \"gpt2\", \"scale_attn_by_inverse_layer_idx\": true}"));
        assertThrows(IllegalArgumentException.class, () -> Gpt2Config.parse("[1, 2]"));
    }

    @Test
    void writeProducesATransformersStyleConfigThatLoadsBack() throws IOException {
        Gpt2Config c = Gpt2Config.of(new Gpt2Shape(2, 4, 32, 101, 64));
        c.write(tmp);
        JsonNode json = new ObjectMapper().readTree(Files.readString(tmp.resolve("config.json")));
        assertEquals("GPT2LMHeadModel", json.get("architectures").get(0).asText());
        assertEquals("gpt2", json.get("model_type").asText());
        assertEquals(32, json.get("n_embd").asInt());
        assertTrue(json.get("n_inner").isNull());
        assertEquals(100, json.get("eos_token_id").asInt());
        assertEquals(c, Gpt2Config.load(tmp));

        Gpt2Config odd = new Gpt2Config(1, 2, 8, 10, 12, 12, 20, 1e-6, "gelu_pytorch_tanh", 0, 1, false, false);
        odd.write(tmp);
        assertEquals(odd, Gpt2Config.load(tmp));
    }

    @Test
    void missingConfigFileIsReportedByName() {
        var e = assertThrows(IOException.class, () -> Gpt2Config.load(tmp.resolve("nowhere")));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void generationConfigAcceptsSingleOrListEosAndDefaultsWhenMissing() throws IOException {
        GenerationConfig single = GenerationConfig.parse("""
                {"_from_model_config": true, "bos_token_id": 50256, "eos_token_id": 50256, "transformers_version": "4.26.0"}
                """);
        assertEquals(50256, single.bosTokenId());
        assertEquals(List.of(50256), single.eosTokenIds());
        assertEquals(20, single.maxLength());
        assertFalse(single.doSample());
        assertEquals(50, single.topK());

        GenerationConfig list = GenerationConfig.parse("""
                {"bos_token_id": 1, "eos_token_id": [2, 7], "max_length": 4096, "do_sample": true,
                 "temperature": 0.6, "top_p": 0.9, "top_k": 20, "max_new_tokens": 128}
                """);
        assertEquals(List.of(2, 7), list.eosTokenIds());
        assertEquals(4096, list.maxLength());
        assertTrue(list.doSample());
        assertEquals(0.6, list.temperature());
        assertEquals(0.9, list.topP());
        assertEquals(20, list.topK());
        assertEquals(128, list.maxNewTokens());

        GenerationConfig missing = GenerationConfig.load(tmp);
        assertEquals(GenerationConfig.defaults(), missing);
        assertNull(missing.bosTokenId());
        assertEquals(List.of(), missing.eosTokenIds());
        assertEquals(1.0, missing.temperature());

        list.write(tmp);
        assertEquals(list, GenerationConfig.load(tmp));
        GenerationConfig fromModel = GenerationConfig.fromModelConfig(Gpt2Config.parse(DISTILGPT2_CONFIG));
        fromModel.write(tmp);
        JsonNode json = new ObjectMapper().readTree(Files.readString(tmp.resolve("generation_config.json")));
        assertEquals(50256, json.get("eos_token_id").asInt(), "a single eos id is written as a plain int, as HF does");
        assertTrue(json.get("_from_model_config").asBoolean());
        assertEquals(fromModel, GenerationConfig.load(tmp));

        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.parse("{\"eos_token_id\": \"</s>\"}"));
    }
}
