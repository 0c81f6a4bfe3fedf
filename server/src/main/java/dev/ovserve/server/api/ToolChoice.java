package dev.ovserve.server.api;

/** OpenAI's {@code tool_choice}: whether and which tools the model must call. */
public sealed interface ToolChoice {
    /** Plain text; tools are still shown to the template. */
    record None() implements ToolChoice {}

    /** The model decides; calls are parsed out of its text. */
    record Auto() implements ToolChoice {}

    /** At least one call; decoding is constrained to calls of the given tools. */
    record Required() implements ToolChoice {}

    /** Exactly this function; decoding is constrained to its arguments. */
    record Named(String name) implements ToolChoice {}
}
