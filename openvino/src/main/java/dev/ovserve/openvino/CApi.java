package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hand-written downcalls to the OpenVINO C API of the pinned release (see the headers under
 * {@code .ovserve/openvino/include/openvino/c}). Each status-returning wrapper throws
 * {@link OpenVinoException} on failure, naming the C function. size_t is 64-bit (Linux x86-64).
 */
final class CApi {
    private CApi() {}

    // ---- struct layouts, as declared in ov_shape.h, ov_dimension.h, ov_partial_shape.h, ov_core.h
    /** ov_shape_t { int64_t rank; int64_t* dims; } */
    static final StructLayout SHAPE = MemoryLayout.structLayout(JAVA_LONG.withName("rank"), ADDRESS.withName("dims"));
    /** ov_dimension_t / ov_rank_t { int64_t min; int64_t max; } */
    static final StructLayout DIMENSION = MemoryLayout.structLayout(JAVA_LONG.withName("min"), JAVA_LONG.withName("max"));
    /** ov_partial_shape_t { ov_rank_t rank; ov_dimension_t* dims; } */
    static final StructLayout PARTIAL_SHAPE = MemoryLayout.structLayout(DIMENSION.withName("rank"), ADDRESS.withName("dims"));
    /** ov_version_t { const char* buildNumber; const char* description; } */
    static final StructLayout VERSION = MemoryLayout.structLayout(ADDRESS.withName("buildNumber"), ADDRESS.withName("description"));
    /** ov_available_devices_t { char** devices; size_t size; } */
    static final StructLayout AVAILABLE_DEVICES = MemoryLayout.structLayout(ADDRESS.withName("devices"), JAVA_LONG.withName("size"));

    private static final SymbolLookup LIB = NativeLibs.openVinoC();

    private static MethodHandle status(String name, MemoryLayout... args) {
        return Native.downcall(LIB, name, FunctionDescriptor.of(JAVA_INT, args));
    }

    private static MethodHandle fn(String name, MemoryLayout result, MemoryLayout... args) {
        return Native.downcall(LIB, name, FunctionDescriptor.of(result, args));
    }

    private static MethodHandle proc(String name, MemoryLayout... args) {
        return Native.downcall(LIB, name, FunctionDescriptor.ofVoid(args));
    }

    private static void call(String name, int status) {
        Native.check(status, name);
    }

    // ---- ov_common.h
    private static final MethodHandle GET_ERROR_INFO = fn("ov_get_error_info", ADDRESS, JAVA_INT);
    private static final MethodHandle FREE = proc("ov_free", ADDRESS);
    private static final MethodHandle GET_LAST_ERR_MSG = fn("ov_get_last_err_msg", ADDRESS);

    static String errorInfo(int status) {
        try {
            return Native.string((MemorySegment) GET_ERROR_INFO.invokeExact(status)); // static table, not freed
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_free(MemorySegment chars) {
        if (chars.equals(MemorySegment.NULL)) {
            return;
        }
        try {
            FREE.invokeExact(chars);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The runtime's last error text (a fresh copy the caller owns, freed here), or null. */
    static String lastErrorMessage() {
        try {
            return Native.takeString((MemorySegment) GET_LAST_ERR_MSG.invokeExact());
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    // ---- ov_core.h
    private static final MethodHandle GET_VERSION = status("ov_get_openvino_version", ADDRESS);
    private static final MethodHandle VERSION_FREE = proc("ov_version_free", ADDRESS);
    private static final MethodHandle CORE_CREATE = status("ov_core_create", ADDRESS);
    private static final MethodHandle CORE_FREE = proc("ov_core_free", ADDRESS);
    private static final MethodHandle CORE_READ_MODEL = status("ov_core_read_model", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle CORE_GET_PROPERTY = status("ov_core_get_property", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle CORE_GET_DEVICES = status("ov_core_get_available_devices", ADDRESS, ADDRESS);
    private static final MethodHandle DEVICES_FREE = proc("ov_available_devices_free", ADDRESS);
    // ov_core_set_property(core, device, ...) reads exactly one key/value pair from its varargs.
    private static final MethodHandle CORE_SET_PROPERTY = Native.downcall(LIB, "ov_core_set_property",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS), Linker.Option.firstVariadicArg(2));
    /** ov_core_compile_model handles by number of key/value pairs: the varargs follow the out-pointer. */
    private static final Map<Integer, MethodHandle> COMPILE_BY_PAIRS = new ConcurrentHashMap<>();

    static void ov_get_openvino_version(MemorySegment version) {
        try {
            call("ov_get_openvino_version", (int) GET_VERSION.invokeExact(version));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_version_free(MemorySegment version) {
        try {
            VERSION_FREE.invokeExact(version);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_core_create(MemorySegment coreOut) {
        try {
            call("ov_core_create", (int) CORE_CREATE.invokeExact(coreOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_core_free(MemorySegment core) {
        try {
            CORE_FREE.invokeExact(core);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_core_read_model(MemorySegment core, MemorySegment xml, MemorySegment bin, MemorySegment modelOut) {
        try {
            call("ov_core_read_model", (int) CORE_READ_MODEL.invokeExact(core, xml, bin, modelOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_core_get_property(MemorySegment core, MemorySegment device, MemorySegment key, MemorySegment valueOut) {
        try {
            call("ov_core_get_property", (int) CORE_GET_PROPERTY.invokeExact(core, device, key, valueOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_core_get_available_devices(MemorySegment core, MemorySegment devices) {
        try {
            call("ov_core_get_available_devices", (int) CORE_GET_DEVICES.invokeExact(core, devices));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_available_devices_free(MemorySegment devices) {
        try {
            DEVICES_FREE.invokeExact(devices);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_core_set_property(MemorySegment core, MemorySegment device, MemorySegment key, MemorySegment value) {
        try {
            call("ov_core_set_property", (int) CORE_SET_PROPERTY.invokeExact(core, device, key, value));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * ov_core_compile_model(core, model, device, property_args_size, compiled_model**, ...): the count
     * is of varargs (2 per pair), and the pairs come after the out-pointer.
     */
    static void ov_core_compile_model(MemorySegment core, MemorySegment model, MemorySegment device,
                                      MemorySegment compiledOut, List<MemorySegment> keyValues) {
        int pairs = keyValues.size() / 2;
        MethodHandle handle = COMPILE_BY_PAIRS.computeIfAbsent(pairs, n -> {
            MemoryLayout[] args = new MemoryLayout[5 + 2 * n];
            args[0] = ADDRESS;
            args[1] = ADDRESS;
            args[2] = ADDRESS;
            args[3] = JAVA_LONG;
            for (int i = 4; i < args.length; i++) {
                args[i] = ADDRESS;
            }
            return Native.downcall(LIB, "ov_core_compile_model", FunctionDescriptor.of(JAVA_INT, args),
                    Linker.Option.firstVariadicArg(5));
        });
        List<Object> args = new ArrayList<>(5 + keyValues.size());
        args.add(core);
        args.add(model);
        args.add(device);
        args.add((long) keyValues.size());
        args.add(compiledOut);
        args.addAll(keyValues);
        try {
            call("ov_core_compile_model", (int) handle.invokeWithArguments(args));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    // ---- ov_model.h
    private static final MethodHandle MODEL_FREE = proc("ov_model_free", ADDRESS);
    private static final MethodHandle MODEL_INPUTS_SIZE = status("ov_model_inputs_size", ADDRESS, ADDRESS);
    private static final MethodHandle MODEL_OUTPUTS_SIZE = status("ov_model_outputs_size", ADDRESS, ADDRESS);
    private static final MethodHandle MODEL_INPUT_BY_INDEX = status("ov_model_const_input_by_index", ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle MODEL_OUTPUT_BY_INDEX = status("ov_model_const_output_by_index", ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle MODEL_IS_DYNAMIC = fn("ov_model_is_dynamic", JAVA_BOOLEAN, ADDRESS);
    private static final MethodHandle MODEL_RESHAPE = status("ov_model_reshape", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final MethodHandle MODEL_FRIENDLY_NAME = status("ov_model_get_friendly_name", ADDRESS, ADDRESS);

    static void ov_model_free(MemorySegment model) {
        try {
            MODEL_FREE.invokeExact(model);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_model_inputs_size(MemorySegment model, MemorySegment sizeOut) {
        try {
            call("ov_model_inputs_size", (int) MODEL_INPUTS_SIZE.invokeExact(model, sizeOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_model_outputs_size(MemorySegment model, MemorySegment sizeOut) {
        try {
            call("ov_model_outputs_size", (int) MODEL_OUTPUTS_SIZE.invokeExact(model, sizeOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_model_const_input_by_index(MemorySegment model, long index, MemorySegment portOut) {
        try {
            call("ov_model_const_input_by_index", (int) MODEL_INPUT_BY_INDEX.invokeExact(model, index, portOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_model_const_output_by_index(MemorySegment model, long index, MemorySegment portOut) {
        try {
            call("ov_model_const_output_by_index", (int) MODEL_OUTPUT_BY_INDEX.invokeExact(model, index, portOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static boolean ov_model_is_dynamic(MemorySegment model) {
        try {
            return (boolean) MODEL_IS_DYNAMIC.invokeExact(model);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_model_reshape(MemorySegment model, MemorySegment names, MemorySegment partialShapes, long size) {
        try {
            call("ov_model_reshape", (int) MODEL_RESHAPE.invokeExact(model, names, partialShapes, size));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_model_get_friendly_name(MemorySegment model, MemorySegment nameOut) {
        try {
            call("ov_model_get_friendly_name", (int) MODEL_FRIENDLY_NAME.invokeExact(model, nameOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    // ---- ov_node.h, ov_partial_shape.h, ov_shape.h
    private static final MethodHandle PORT_ANY_NAME = status("ov_port_get_any_name", ADDRESS, ADDRESS);
    private static final MethodHandle PORT_PARTIAL_SHAPE = status("ov_port_get_partial_shape", ADDRESS, ADDRESS);
    private static final MethodHandle PORT_ELEMENT_TYPE = status("ov_port_get_element_type", ADDRESS, ADDRESS);
    private static final MethodHandle CONST_PORT_FREE = proc("ov_output_const_port_free", ADDRESS);
    private static final MethodHandle PARTIAL_SHAPE_FREE = proc("ov_partial_shape_free", ADDRESS);
    private static final MethodHandle SHAPE_FREE = status("ov_shape_free", ADDRESS);

    static void ov_port_get_any_name(MemorySegment port, MemorySegment nameOut) {
        try {
            call("ov_port_get_any_name", (int) PORT_ANY_NAME.invokeExact(port, nameOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_port_get_partial_shape(MemorySegment port, MemorySegment partialShape) {
        try {
            call("ov_port_get_partial_shape", (int) PORT_PARTIAL_SHAPE.invokeExact(port, partialShape));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_port_get_element_type(MemorySegment port, MemorySegment typeOut) {
        try {
            call("ov_port_get_element_type", (int) PORT_ELEMENT_TYPE.invokeExact(port, typeOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_output_const_port_free(MemorySegment port) {
        try {
            CONST_PORT_FREE.invokeExact(port);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_partial_shape_free(MemorySegment partialShape) {
        try {
            PARTIAL_SHAPE_FREE.invokeExact(partialShape);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_shape_free(MemorySegment shape) {
        try {
            call("ov_shape_free", (int) SHAPE_FREE.invokeExact(shape));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    // ---- ov_compiled_model.h
    private static final MethodHandle CM_INPUTS_SIZE = status("ov_compiled_model_inputs_size", ADDRESS, ADDRESS);
    private static final MethodHandle CM_OUTPUTS_SIZE = status("ov_compiled_model_outputs_size", ADDRESS, ADDRESS);
    private static final MethodHandle CM_INPUT_BY_INDEX = status("ov_compiled_model_input_by_index", ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle CM_OUTPUT_BY_INDEX = status("ov_compiled_model_output_by_index", ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle CM_RUNTIME_MODEL = status("ov_compiled_model_get_runtime_model", ADDRESS, ADDRESS);
    private static final MethodHandle CM_CREATE_REQUEST = status("ov_compiled_model_create_infer_request", ADDRESS, ADDRESS);
    private static final MethodHandle CM_GET_PROPERTY = status("ov_compiled_model_get_property", ADDRESS, ADDRESS, ADDRESS);
    // ov_compiled_model_set_property(compiled_model, ...) reads exactly one key/value pair.
    private static final MethodHandle CM_SET_PROPERTY = Native.downcall(LIB, "ov_compiled_model_set_property",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle CM_FREE = proc("ov_compiled_model_free", ADDRESS);

    static void ov_compiled_model_inputs_size(MemorySegment cm, MemorySegment sizeOut) {
        try {
            call("ov_compiled_model_inputs_size", (int) CM_INPUTS_SIZE.invokeExact(cm, sizeOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_compiled_model_outputs_size(MemorySegment cm, MemorySegment sizeOut) {
        try {
            call("ov_compiled_model_outputs_size", (int) CM_OUTPUTS_SIZE.invokeExact(cm, sizeOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_compiled_model_input_by_index(MemorySegment cm, long index, MemorySegment portOut) {
        try {
            call("ov_compiled_model_input_by_index", (int) CM_INPUT_BY_INDEX.invokeExact(cm, index, portOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_compiled_model_output_by_index(MemorySegment cm, long index, MemorySegment portOut) {
        try {
            call("ov_compiled_model_output_by_index", (int) CM_OUTPUT_BY_INDEX.invokeExact(cm, index, portOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_compiled_model_get_runtime_model(MemorySegment cm, MemorySegment modelOut) {
        try {
            call("ov_compiled_model_get_runtime_model", (int) CM_RUNTIME_MODEL.invokeExact(cm, modelOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_compiled_model_create_infer_request(MemorySegment cm, MemorySegment requestOut) {
        try {
            call("ov_compiled_model_create_infer_request", (int) CM_CREATE_REQUEST.invokeExact(cm, requestOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_compiled_model_get_property(MemorySegment cm, MemorySegment key, MemorySegment valueOut) {
        try {
            call("ov_compiled_model_get_property", (int) CM_GET_PROPERTY.invokeExact(cm, key, valueOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_compiled_model_set_property(MemorySegment cm, MemorySegment key, MemorySegment value) {
        try {
            call("ov_compiled_model_set_property", (int) CM_SET_PROPERTY.invokeExact(cm, key, value));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_compiled_model_free(MemorySegment cm) {
        try {
            CM_FREE.invokeExact(cm);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    // ---- ov_infer_request.h
    private static final MethodHandle IR_SET_TENSOR = status("ov_infer_request_set_tensor", ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle IR_SET_INPUT_BY_INDEX = status("ov_infer_request_set_input_tensor_by_index", ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle IR_SET_OUTPUT_BY_INDEX = status("ov_infer_request_set_output_tensor_by_index", ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle IR_GET_TENSOR = status("ov_infer_request_get_tensor", ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle IR_GET_INPUT_BY_INDEX = status("ov_infer_request_get_input_tensor_by_index", ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle IR_GET_OUTPUT_BY_INDEX = status("ov_infer_request_get_output_tensor_by_index", ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle IR_INFER = status("ov_infer_request_infer", ADDRESS);
    private static final MethodHandle IR_CANCEL = status("ov_infer_request_cancel", ADDRESS);
    private static final MethodHandle IR_START_ASYNC = status("ov_infer_request_start_async", ADDRESS);
    private static final MethodHandle IR_WAIT = status("ov_infer_request_wait", ADDRESS);
    private static final MethodHandle IR_WAIT_FOR = status("ov_infer_request_wait_for", ADDRESS, JAVA_LONG);
    private static final MethodHandle IR_FREE = proc("ov_infer_request_free", ADDRESS);

    static void ov_infer_request_set_tensor(MemorySegment request, MemorySegment name, MemorySegment tensor) {
        try {
            call("ov_infer_request_set_tensor", (int) IR_SET_TENSOR.invokeExact(request, name, tensor));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_infer_request_set_input_tensor_by_index(MemorySegment request, long index, MemorySegment tensor) {
        try {
            call("ov_infer_request_set_input_tensor_by_index", (int) IR_SET_INPUT_BY_INDEX.invokeExact(request, index, tensor));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_infer_request_set_output_tensor_by_index(MemorySegment request, long index, MemorySegment tensor) {
        try {
            call("ov_infer_request_set_output_tensor_by_index", (int) IR_SET_OUTPUT_BY_INDEX.invokeExact(request, index, tensor));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_infer_request_get_tensor(MemorySegment request, MemorySegment name, MemorySegment tensorOut) {
        try {
            call("ov_infer_request_get_tensor", (int) IR_GET_TENSOR.invokeExact(request, name, tensorOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_infer_request_get_input_tensor_by_index(MemorySegment request, long index, MemorySegment tensorOut) {
        try {
            call("ov_infer_request_get_input_tensor_by_index", (int) IR_GET_INPUT_BY_INDEX.invokeExact(request, index, tensorOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_infer_request_get_output_tensor_by_index(MemorySegment request, long index, MemorySegment tensorOut) {
        try {
            call("ov_infer_request_get_output_tensor_by_index", (int) IR_GET_OUTPUT_BY_INDEX.invokeExact(request, index, tensorOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_infer_request_infer(MemorySegment request) {
        try {
            call("ov_infer_request_infer", (int) IR_INFER.invokeExact(request));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_infer_request_cancel(MemorySegment request) {
        try {
            call("ov_infer_request_cancel", (int) IR_CANCEL.invokeExact(request));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_infer_request_start_async(MemorySegment request) {
        try {
            call("ov_infer_request_start_async", (int) IR_START_ASYNC.invokeExact(request));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_infer_request_wait(MemorySegment request) {
        try {
            call("ov_infer_request_wait", (int) IR_WAIT.invokeExact(request));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @return false on timeout (RESULT_NOT_READY), true when the inference finished. */
    static boolean ov_infer_request_wait_for(MemorySegment request, long timeoutMillis) {
        int status;
        try {
            status = (int) IR_WAIT_FOR.invokeExact(request, timeoutMillis);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (status == Status.RESULT_NOT_READY.code()) {
            return false;
        }
        call("ov_infer_request_wait_for", status);
        return true;
    }

    static void ov_infer_request_free(MemorySegment request) {
        try {
            IR_FREE.invokeExact(request);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    // ---- ov_tensor.h (ov_shape_t and ov_element_type_e are passed by value)
    private static final MethodHandle TENSOR_FROM_HOST_PTR = status("ov_tensor_create_from_host_ptr", JAVA_INT, SHAPE, ADDRESS, ADDRESS);
    private static final MethodHandle TENSOR_CREATE = status("ov_tensor_create", JAVA_INT, SHAPE, ADDRESS);
    private static final MethodHandle TENSOR_SET_SHAPE = status("ov_tensor_set_shape", ADDRESS, SHAPE);
    private static final MethodHandle TENSOR_GET_SHAPE = status("ov_tensor_get_shape", ADDRESS, ADDRESS);
    private static final MethodHandle TENSOR_ELEMENT_TYPE = status("ov_tensor_get_element_type", ADDRESS, ADDRESS);
    private static final MethodHandle TENSOR_SIZE = status("ov_tensor_get_size", ADDRESS, ADDRESS);
    private static final MethodHandle TENSOR_BYTE_SIZE = status("ov_tensor_get_byte_size", ADDRESS, ADDRESS);
    private static final MethodHandle TENSOR_DATA = status("ov_tensor_data", ADDRESS, ADDRESS);
    private static final MethodHandle TENSOR_FREE = proc("ov_tensor_free", ADDRESS);

    static void ov_tensor_create_from_host_ptr(int type, MemorySegment shape, MemorySegment hostPtr, MemorySegment tensorOut) {
        try {
            call("ov_tensor_create_from_host_ptr", (int) TENSOR_FROM_HOST_PTR.invokeExact(type, shape, hostPtr, tensorOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_tensor_create(int type, MemorySegment shape, MemorySegment tensorOut) {
        try {
            call("ov_tensor_create", (int) TENSOR_CREATE.invokeExact(type, shape, tensorOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_tensor_set_shape(MemorySegment tensor, MemorySegment shape) {
        try {
            call("ov_tensor_set_shape", (int) TENSOR_SET_SHAPE.invokeExact(tensor, shape));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_tensor_get_shape(MemorySegment tensor, MemorySegment shapeOut) {
        try {
            call("ov_tensor_get_shape", (int) TENSOR_GET_SHAPE.invokeExact(tensor, shapeOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_tensor_get_element_type(MemorySegment tensor, MemorySegment typeOut) {
        try {
            call("ov_tensor_get_element_type", (int) TENSOR_ELEMENT_TYPE.invokeExact(tensor, typeOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_tensor_get_size(MemorySegment tensor, MemorySegment sizeOut) {
        try {
            call("ov_tensor_get_size", (int) TENSOR_SIZE.invokeExact(tensor, sizeOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_tensor_get_byte_size(MemorySegment tensor, MemorySegment sizeOut) {
        try {
            call("ov_tensor_get_byte_size", (int) TENSOR_BYTE_SIZE.invokeExact(tensor, sizeOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_tensor_data(MemorySegment tensor, MemorySegment dataOut) {
        try {
            call("ov_tensor_data", (int) TENSOR_DATA.invokeExact(tensor, dataOut));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void ov_tensor_free(MemorySegment tensor) {
        try {
            TENSOR_FREE.invokeExact(tensor);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
