package dev.ovserve.server.api;

/** One function call the model made: {@code arguments} is JSON text, as OpenAI sends it. */
public record ToolCall(String id, String name, String arguments) {}
