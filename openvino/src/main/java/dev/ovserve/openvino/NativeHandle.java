package dev.ovserve.openvino;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An owned pointer to a C API object. Closing frees it exactly once, from whichever thread
 * closes first; later calls through a closed handle throw {@link IllegalStateException}.
 */
public abstract class NativeHandle implements AutoCloseable {
    private final AtomicReference<MemorySegment> handle;

    NativeHandle(MemorySegment handle) {
        if (handle == null || handle.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " handle is NULL");
        }
        this.handle = new AtomicReference<>(handle);
    }

    /** The raw C pointer (e.g. {@code ov_model_t*}), for native helpers. Valid until {@link #close()}. */
    public MemorySegment handle() {
        MemorySegment h = handle.get();
        if (h == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
        return h;
    }

    public boolean isClosed() {
        return handle.get() == null;
    }

    @Override
    public void close() {
        MemorySegment h = handle.getAndSet(null);
        if (h != null) {
            free(h);
        }
    }

    /** Releases the native object; called once. */
    abstract void free(MemorySegment handle);
}
