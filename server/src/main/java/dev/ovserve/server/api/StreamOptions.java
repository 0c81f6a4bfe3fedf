package dev.ovserve.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code stream_options}: only {@code include_usage} means anything here; the object needs {@code stream: true}. */
final class StreamOptions {
    private StreamOptions() {}

    static boolean includeUsage(Fields f, boolean stream) {
        ObjectNode options = f.object("stream_options");
        if (options == null) {
            return false;
        }
        if (!stream) {
            throw ApiException.invalidRequest("stream_options",
                    "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }
        return new Fields(options, "stream_options.").bool("include_usage", false);
    }
}
