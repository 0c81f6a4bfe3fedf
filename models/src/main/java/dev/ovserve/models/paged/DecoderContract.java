package dev.ovserve.models.paged;

import dev.ovserve.openvino.Model;
import dev.ovserve.openvino.OpenVinoException;
import dev.ovserve.openvino.PagedAttentionHelper;
import dev.ovserve.openvino.Port;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one gate for every family: an IR is served when it follows optimum-intel's stateful
 * decoder contract ({@code input_ids}, {@code beam_idx} — present only when the KV cache lives in
 * model state — and {@code logits}) and the paged transform found attention to rewrite. What is
 * missing is named, so an encoder, a stateless export or a non-LM says why it is refused.
 */
final class DecoderContract {
    private DecoderContract() {}

    static void checkStateful(Model model, Path xml) {
        Set<String> inputs = model.inputs().stream().map(Port::name).collect(Collectors.toSet());
        Set<String> outputs = model.outputs().stream().map(Port::name).collect(Collectors.toSet());
        List<String> missing = new ArrayList<>();
        if (!inputs.contains("input_ids")) {
            missing.add("input 'input_ids' (an inputs_embeds-only or non-text model)");
        }
        if (!inputs.contains("beam_idx")) {
            missing.add("input 'beam_idx' (the KV cache is not in model state: export with --task text-generation-with-past"
                    + " and without --disable-stateful)");
        }
        if (!outputs.contains("logits")) {
            missing.add("output 'logits' (not a language-model head: an encoder or a feature extractor?)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(xml + " is not a stateful decoder-only LM in optimum-intel's layout; missing: "
                    + String.join("; ", missing) + ". It has inputs " + inputs + " and outputs " + outputs);
        }
    }

    /** Applies SDPAToPagedAttention; a model it cannot rewrite is refused with the runtime's reason. */
    static void toPaged(Model model, Path xml) {
        try {
            PagedAttentionHelper.sdpaToPagedAttention(model);
        } catch (OpenVinoException e) {
            throw new IllegalArgumentException(xml + " cannot be served with paged attention (no KV state or no"
                    + " ScaledDotProductAttention?): " + e.runtimeMessage(), e);
        }
        boolean cache = model.inputs().stream().anyMatch(p -> p.name().startsWith("key_cache."));
        if (!cache) {
            throw new IllegalArgumentException(xml + ": no ScaledDotProductAttention fed by model state was found, so the"
                    + " paged-attention transform produced no key_cache inputs; inputs after the transform: "
                    + model.inputs().stream().map(Port::name).toList());
        }
    }
}
