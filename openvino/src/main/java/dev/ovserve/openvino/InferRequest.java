package dev.ovserve.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ov_infer_request_t}: one inference context with its own input/output tensors.
 * Not for concurrent use; close it only when no asynchronous inference is running.
 */
public final class InferRequest extends NativeHandle {
    /** Java memory of tensors set on this request, kept reachable while the runtime may use it. */
    private final Map<String, MemorySegment> pinned = new ConcurrentHashMap<>();

    InferRequest(MemorySegment handle) {
        super(handle);
    }

    /** Binds {@code tensor} to the input or output named {@code name}; Java memory is used in place. */
    public void setTensor(String name, Tensor tensor) {
        try (Arena arena = Arena.ofConfined()) {
            CApi.ov_infer_request_set_tensor(handle(), Native.cString(arena, name), tensor.handle());
        }
        pin("name:" + name, tensor);
    }

    public void setInputTensor(int index, Tensor tensor) {
        CApi.ov_infer_request_set_input_tensor_by_index(handle(), index, tensor.handle());
        pin("input:" + index, tensor);
    }

    public void setOutputTensor(int index, Tensor tensor) {
        CApi.ov_infer_request_set_output_tensor_by_index(handle(), index, tensor.handle());
        pin("output:" + index, tensor);
    }

    private void pin(String key, Tensor tensor) {
        if (tensor.hostMemory() != null) {
            pinned.put(key, tensor.hostMemory());
        } else {
            pinned.remove(key);
        }
    }

    /** The tensor bound to an input or output by name; a new handle to close (memory stays the request's). */
    public Tensor getTensor(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_infer_request_get_tensor(handle(), Native.cString(arena, name), out);
            return Tensor.fromRuntime(out.get(ADDRESS, 0));
        }
    }

    public Tensor getInputTensor(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_infer_request_get_input_tensor_by_index(handle(), index, out);
            return Tensor.fromRuntime(out.get(ADDRESS, 0));
        }
    }

    public Tensor getOutputTensor(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            CApi.ov_infer_request_get_output_tensor_by_index(handle(), index, out);
            return Tensor.fromRuntime(out.get(ADDRESS, 0));
        }
    }

    /** Runs inference synchronously. */
    public void infer() {
        CApi.ov_infer_request_infer(handle());
    }

    public void startAsync() {
        CApi.ov_infer_request_start_async(handle());
    }

    /** Blocks until the asynchronous inference ends; rethrows its failure. */
    public void waitForCompletion() {
        CApi.ov_infer_request_wait(handle());
    }

    /** Waits at most {@code timeout}; false if still running. */
    public boolean waitFor(Duration timeout) {
        return CApi.ov_infer_request_wait_for(handle(), Math.max(0, timeout.toMillis()));
    }

    /** Asks a running inference to stop; its wait then fails with {@link Status#INFER_CANCELLED}. */
    public void cancel() {
        CApi.ov_infer_request_cancel(handle());
    }

    @Override
    void free(MemorySegment handle) {
        CApi.ov_infer_request_free(handle);
        pinned.clear();
    }
}
