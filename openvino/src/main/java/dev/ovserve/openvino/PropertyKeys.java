package dev.ovserve.openvino;

import java.lang.foreign.SymbolLookup;

/**
 * Property keys. Most are read from the runtime's exported {@code ov_property_key_*} variables
 * (char* globals in libopenvino_c), so they always match the loaded release; the few that the
 * C API does not export are spelled out.
 */
public final class PropertyKeys {
    private static final SymbolLookup LIB = NativeLibs.openVinoC();

    public static final String SUPPORTED_PROPERTIES = key("ov_property_key_supported_properties");
    public static final String AVAILABLE_DEVICES = key("ov_property_key_available_devices");
    public static final String OPTIMAL_NUMBER_OF_INFER_REQUESTS = key("ov_property_key_optimal_number_of_infer_requests");
    public static final String RANGE_FOR_ASYNC_INFER_REQUESTS = key("ov_property_key_range_for_async_infer_requests");
    public static final String RANGE_FOR_STREAMS = key("ov_property_key_range_for_streams");
    public static final String DEVICE_FULL_NAME = key("ov_property_key_device_full_name");
    public static final String DEVICE_CAPABILITIES = key("ov_property_key_device_capabilities");
    public static final String MODEL_NAME = key("ov_property_key_model_name");
    public static final String OPTIMAL_BATCH_SIZE = key("ov_property_key_optimal_batch_size");
    public static final String MAX_BATCH_SIZE = key("ov_property_key_max_batch_size");
    public static final String CACHE_DIR = key("ov_property_key_cache_dir");
    public static final String CACHE_MODE = key("ov_property_key_cache_mode");
    /** Not settable through this binding: the C API expects a callbacks struct for it. */
    public static final String CACHE_ENCRYPTION_CALLBACKS = key("ov_property_key_cache_encryption_callbacks");
    public static final String NUM_STREAMS = key("ov_property_key_num_streams");
    public static final String INFERENCE_NUM_THREADS = key("ov_property_key_inference_num_threads");
    public static final String ENABLE_CPU_PINNING = key("ov_property_key_hint_enable_cpu_pinning");
    public static final String ENABLE_HYPER_THREADING = key("ov_property_key_hint_enable_hyper_threading");
    public static final String PERFORMANCE_HINT = key("ov_property_key_hint_performance_mode");
    public static final String SCHEDULING_CORE_TYPE = key("ov_property_key_hint_scheduling_core_type");
    public static final String INFERENCE_PRECISION_HINT = key("ov_property_key_hint_inference_precision");
    public static final String PERFORMANCE_HINT_NUM_REQUESTS = key("ov_property_key_hint_num_requests");
    public static final String LOG_LEVEL = key("ov_property_key_log_level");
    public static final String MODEL_PRIORITY = key("ov_property_key_hint_model_priority");
    public static final String PERF_COUNT = key("ov_property_key_enable_profiling");
    public static final String DEVICE_PRIORITIES = key("ov_property_key_device_priorities");
    public static final String EXECUTION_MODE_HINT = key("ov_property_key_hint_execution_mode");
    public static final String FORCE_TBB_TERMINATE = key("ov_property_key_force_tbb_terminate");
    public static final String ENABLE_MMAP = key("ov_property_key_enable_mmap");
    public static final String AUTO_BATCH_TIMEOUT = key("ov_property_key_auto_batch_timeout");

    // Not exported by the C API of this release.
    public static final String EXECUTION_DEVICES = "EXECUTION_DEVICES";
    public static final String KV_CACHE_PRECISION = "KV_CACHE_PRECISION";

    private PropertyKeys() {}

    private static String key(String symbol) {
        return Native.readStringVariable(LIB, symbol);
    }
}
