/**
 * Java bindings to the OpenVINO C API through the Foreign Function &amp; Memory API.
 *
 * <p>Rules that hold across the package:
 * <ul>
 *   <li>Every native object ({@link dev.ovserve.openvino.Core}, {@link dev.ovserve.openvino.Model},
 *       {@link dev.ovserve.openvino.CompiledModel}, {@link dev.ovserve.openvino.InferRequest},
 *       {@link dev.ovserve.openvino.Tensor}) is {@link java.lang.AutoCloseable}; close is idempotent
 *       and the runtime keeps what other objects still need (e.g. a request outlives its compiled model).</li>
 *   <li>Temporary C arguments live in a confined arena per call; strings, shapes and port handles the
 *       C API returns are freed before the call returns.</li>
 *   <li>Every non-OK status becomes an unchecked {@link dev.ovserve.openvino.OpenVinoException} naming
 *       the C function, the status and the runtime's error text.</li>
 *   <li>Java memory handed to a tensor is used in place: it must outlive every request it is set on.</li>
 * </ul>
 */
package dev.ovserve.openvino;
