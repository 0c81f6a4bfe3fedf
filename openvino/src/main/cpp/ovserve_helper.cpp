// The few model operations ovserve needs that the OpenVINO C API does not offer.
// Exposed with a C ABI and called from Java through the same FFM layer as the C API.
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "openvino/c/ov_model.h"
#include "openvino/core/model.hpp"
#include "openvino/op/constant.hpp"
#include "openvino/op/gather.hpp"
#include "openvino/op/matmul.hpp"
#include "openvino/op/parameter.hpp"
#include "openvino/op/result.hpp"
#include "openvino/pass/manager.hpp"
#include "openvino/pass/sdpa_to_paged_attention.hpp"

// ov_model_t is opaque in the C headers; the C library defines it as a struct holding one
// shared_ptr<ov::Model> (src/bindings/c/src/common.h). We mirror that layout to reach the
// C++ model behind a handle the C API gave us, and keep working on it in place.
struct ov_model {
    std::shared_ptr<ov::Model> object;
};

namespace {
thread_local std::string last_error;

int fail(const char* what) {
    last_error = what;
    return 1;
}

char* copy_string(const std::string& s) {
    char* out = new char[s.size() + 1];
    std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
}
}  // namespace

extern "C" {

__attribute__((visibility("default"))) const char* ovs_last_error() {
    return last_error.c_str();
}

__attribute__((visibility("default"))) void ovs_free(char* s) {
    delete[] s;
}

// Rewrites every ScaledDotProductAttention fed by ReadValue/Assign state into a
// PagedAttentionExtension reading key_cache.N / value_cache.N through block tables.
__attribute__((visibility("default"))) int ovs_sdpa_to_paged_attention(ov_model_t* model) {
    if (!model || !model->object) return fail("model handle is null");
    try {
        ov::pass::Manager manager;
        manager.register_pass<ov::pass::SDPAToPagedAttention>();
        manager.run_passes(model->object);
        return 0;
    } catch (const std::exception& e) {
        return fail(e.what());
    } catch (...) {
        return fail("unknown exception in SDPAToPagedAttention");
    }
}

// Adds an i64 [?] input `sampled_tokens_indices` and gathers only those token rows before the
// LM head, so a step computes vocabulary logits just for the positions that will be sampled
// instead of for every prefill token. Walks back from the `logits` result through single-input
// ops (e.g. Convert) to the MatMul that produces it.
__attribute__((visibility("default"))) int ovs_gather_before_logits(ov_model_t* model) {
    if (!model || !model->object) return fail("model handle is null");
    try {
        auto& m = model->object;
        std::shared_ptr<ov::Node> node;
        for (const auto& result : m->get_results()) {
            if (result->output(0).get_names().count("logits") || result->input_value(0).get_names().count("logits")) {
                node = result->input_value(0).get_node_shared_ptr();
            }
        }
        if (!node) return fail("model has no 'logits' output");
        while (node && !ov::as_type_ptr<ov::op::v0::MatMul>(node)) {
            if (node->get_input_size() != 1) return fail("no MatMul found on the path to 'logits'");
            node = node->input_value(0).get_node_shared_ptr();
        }
        if (!node) return fail("no MatMul found on the path to 'logits'");
        auto indices = std::make_shared<ov::op::v0::Parameter>(ov::element::i64, ov::PartialShape{-1});
        indices->set_friendly_name("sampled_tokens_indices");
        indices->get_output_tensor(0).set_names({"sampled_tokens_indices"});
        auto hidden = node->input_value(0);
        auto axis = ov::op::v0::Constant::create(ov::element::i64, ov::Shape{}, {0});
        auto gathered = std::make_shared<ov::op::v8::Gather>(hidden, indices, axis);
        node->input(0).replace_source_output(gathered);
        m->add_parameters({indices});
        m->validate_nodes_and_infer_types();
        return 0;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}

// For a compiled model's runtime graph: "layerType/runtimePrecision=count" lines from each op's
// rt_info, e.g. "FullyConnected/u8=36" when weights stay compressed; free with ovs_free.
__attribute__((visibility("default"))) int ovs_layer_precisions(const ov_model_t* model, char** out) {
    if (!model || !model->object || !out) return fail("null argument");
    try {
        std::map<std::string, size_t> counts;
        for (const auto& op : model->object->get_ops()) {
            const auto& info = op->get_rt_info();
            auto type = info.find("layerType");
            auto precision = info.find("runtimePrecision");
            if (type == info.end()) continue;
            std::string key = type->second.as<std::string>() + "/" +
                              (precision == info.end() ? std::string("?") : precision->second.as<std::string>());
            counts[key]++;
        }
        std::ostringstream s;
        for (const auto& [key, count] : counts) {
            s << key << '=' << count << '\n';
        }
        *out = copy_string(s.str());
        return 0;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}

// "Type=count" lines for every op type in the model, sorted by type name; free with ovs_free.
__attribute__((visibility("default"))) int ovs_op_histogram(const ov_model_t* model, char** out) {
    if (!model || !model->object || !out) return fail("null argument");
    try {
        std::map<std::string, size_t> counts;
        for (const auto& op : model->object->get_ops()) {
            counts[op->get_type_name()]++;
        }
        std::ostringstream s;
        for (const auto& [type, count] : counts) {
            s << type << '=' << count << '\n';
        }
        *out = copy_string(s.str());
        return 0;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}
}
