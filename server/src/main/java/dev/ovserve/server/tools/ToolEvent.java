package dev.ovserve.server.tools;

/** What a streamed tool-calling choice sends next: content text, or a piece of a call. */
public sealed interface ToolEvent {
    record Content(String text) implements ToolEvent {}

    /**
     * A piece of call {@code index}: its first piece has the id and name (and {@code ""} arguments),
     * later ones only argument fragments; concatenated, the fragments are the call's arguments.
     */
    record CallDelta(int index, String id, String name, String arguments) implements ToolEvent {}
}
