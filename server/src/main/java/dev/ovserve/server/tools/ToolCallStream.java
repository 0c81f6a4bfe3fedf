package dev.ovserve.server.tools;

import dev.ovserve.server.api.ToolCall;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * One streamed choice's text turned into OpenAI's {@code tool_calls} deltas as it arrives: the
 * name first, then argument fragments. One per choice, on its connection's event loop.
 */
public abstract sealed class ToolCallStream {
    private boolean madeCalls;

    /** Events for the new text (possibly none: text may be held until it is clear what it is). */
    public abstract List<ToolEvent> feed(String text);

    /** Events for whatever was held back, at the end of the choice. */
    public abstract List<ToolEvent> finish();

    /** Whether any call was sent: the finish reason is then "tool_calls". */
    public boolean madeCalls() {
        return madeCalls;
    }

    ToolEvent call(int index, String id, String name, String arguments) {
        madeCalls = true;
        return new ToolEvent.CallDelta(index, id, name, arguments);
    }

    /** A named function: the whole output is its arguments. */
    static final class Named extends ToolCallStream {
        private final String name;
        private boolean opened;

        Named(String name) {
            this.name = name;
        }

        @Override
        public List<ToolEvent> feed(String text) {
            List<ToolEvent> out = new ArrayList<>(2);
            if (!opened) {
                opened = true;
                out.add(call(0, CallIds.next(), name, ""));
            }
            if (!text.isEmpty()) {
                out.add(call(0, null, null, text));
            }
            return out;
        }

        @Override
        public List<ToolEvent> finish() {
            return feed("");
        }
    }

    /**
     * "required": the output is a JSON array of {@code {"name", "parameters"}}. A small scanner
     * follows strings and nesting, sends each call's name once its string is closed and the raw
     * text of its parameters as it comes (held until the name is known if parameters come first).
     */
    static final class CallArray extends ToolCallStream {
        private static final ObjectMapper JSON = new ObjectMapper();

        private enum Phase { KEY, IN_KEY, COLON, VALUE, IN_NAME, IN_PARAMS, SKIP, AFTER_VALUE }

        private int depth;
        private boolean inString;
        private boolean escape;
        private int call = -1;
        private Phase phase = Phase.AFTER_VALUE;
        private final StringBuilder key = new StringBuilder();
        private final StringBuilder raw = new StringBuilder();
        private boolean compositeParams;
        private String id;
        private String name;
        private final StringBuilder heldArgs = new StringBuilder();
        private boolean ended;

        @Override
        public List<ToolEvent> feed(String text) {
            List<ToolEvent> out = new ArrayList<>();
            StringBuilder args = new StringBuilder();
            for (int i = 0; i < text.length() && !ended; i++) {
                char c = text.charAt(i);
                int before = depth;
                boolean wasInString = inString;
                if (inString) {
                    if (escape) {
                        escape = false;
                    } else if (c == '\\') {
                        escape = true;
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                }
                if (phase == Phase.IN_PARAMS || phase == Phase.SKIP) {
                    boolean scalarEnd = !compositeParams && before == 2 && !wasInString && (c == ',' || c == '}');
                    if (!scalarEnd) {
                        if (phase == Phase.IN_PARAMS) {
                            args.append(c);
                        }
                        if (compositeParams && !inString && depth == 2 && (c == '}' || c == ']')) {
                            phase = Phase.AFTER_VALUE;
                            flushArgs(out, args);
                        }
                        continue;
                    }
                    phase = Phase.AFTER_VALUE;
                    flushArgs(out, args);
                }
                if (before == 1 && c == '{' && !wasInString) {
                    call++;
                    id = CallIds.next();
                    name = null;
                    heldArgs.setLength(0);
                    phase = Phase.KEY;
                    continue;
                }
                if (before == 1 && c == ']' && !wasInString) {
                    ended = true;
                    continue;
                }
                if (before != 2 && !(phase == Phase.IN_KEY || phase == Phase.IN_NAME)) {
                    continue;
                }
                switch (phase) {
                    case KEY -> {
                        if (c == '"') {
                            key.setLength(0);
                            phase = Phase.IN_KEY;
                        }
                    }
                    case IN_KEY -> {
                        if (inString) {
                            key.append(c);
                        } else {
                            phase = Phase.COLON;
                        }
                    }
                    case COLON -> {
                        if (c == ':') {
                            phase = Phase.VALUE;
                        }
                    }
                    case VALUE -> {
                        if (Character.isWhitespace(c)) {
                            break;
                        }
                        if (key.toString().equals("name") && c == '"') {
                            raw.setLength(0);
                            raw.append(c);
                            phase = Phase.IN_NAME;
                        } else {
                            compositeParams = c == '{' || c == '[';
                            if (key.toString().equals("parameters")) {
                                phase = Phase.IN_PARAMS;
                                args.append(c);
                            } else {
                                phase = Phase.SKIP;
                            }
                            if (!compositeParams && c == '"') {
                                compositeParams = false; // a string value: ends at the ',' or '}' after it
                            }
                        }
                    }
                    case IN_NAME -> {
                        raw.append(c);
                        if (!inString) {
                            name = parseString(raw.toString());
                            phase = Phase.AFTER_VALUE;
                            out.add(call(call, id, name, ""));
                            if (!heldArgs.isEmpty()) {
                                out.add(call(call, null, null, heldArgs.toString()));
                                heldArgs.setLength(0);
                            }
                        }
                    }
                    case AFTER_VALUE -> {
                        if (c == ',') {
                            phase = Phase.KEY;
                        }
                    }
                    default -> { }
                }
            }
            flushArgs(out, args);
            return out;
        }

        private void flushArgs(List<ToolEvent> out, StringBuilder args) {
            if (args.isEmpty()) {
                return;
            }
            if (name == null) {
                heldArgs.append(args);
            } else {
                out.add(call(call, null, null, args.toString()));
            }
            args.setLength(0);
        }

        private static String parseString(String quoted) {
            try {
                return JSON.readTree(quoted).textValue();
            } catch (Exception e) {
                return quoted.substring(1, quoted.length() - 1);
            }
        }

        @Override
        public List<ToolEvent> finish() {
            return List.of();
        }
    }

    /**
     * "auto": content is passed on until the family's call marker shows up (held back while the
     * text could still become one); from there on everything is held and parsed at the end.
     */
    static final class Auto extends ToolCallStream {
        private final ToolCallFormat format;
        private final StringBuilder all = new StringBuilder();
        private int sent;
        private boolean buffering;

        Auto(ToolCallFormat format) {
            this.format = format;
        }

        @Override
        public List<ToolEvent> feed(String text) {
            all.append(text);
            if (buffering) {
                return List.of();
            }
            String marker = format.marker();
            int at = all.indexOf(marker, sent);
            if (format.leadingCallStart() != 0 && sent == 0) {
                String s = all.toString();
                int first = s.length() - s.stripLeading().length();
                if (first < s.length() && s.charAt(first) == format.leadingCallStart()) {
                    at = at < 0 ? first : Math.min(at, first);
                } else if (first == s.length()) {
                    return List.of(); // only whitespace yet: a call may still start
                }
            }
            int end;
            if (at >= 0) {
                buffering = true;
                end = at;
            } else {
                end = all.length() - heldBack(marker);
            }
            List<ToolEvent> out = new ArrayList<>(1);
            if (end > sent) {
                out.add(new ToolEvent.Content(all.substring(sent, end)));
                sent = end;
            }
            return out;
        }

        /** Length of the longest suffix of the text that is a proper prefix of the marker. */
        private int heldBack(String marker) {
            for (int len = Math.min(marker.length() - 1, all.length() - sent); len > 0; len--) {
                if (all.substring(all.length() - len).equals(marker.substring(0, len))) {
                    return len;
                }
            }
            return 0;
        }

        @Override
        public List<ToolEvent> finish() {
            List<ToolEvent> out = new ArrayList<>();
            String rest = all.substring(sent);
            sent = all.length();
            if (rest.isEmpty()) {
                return out;
            }
            ParsedOutput parsed = buffering ? format.parse(rest) : ParsedOutput.text(rest);
            if (parsed.calls().isEmpty()) {
                out.add(new ToolEvent.Content(rest));
                return out;
            }
            if (parsed.content() != null) {
                out.add(new ToolEvent.Content(parsed.content()));
            }
            for (int i = 0; i < parsed.calls().size(); i++) {
                ToolCall c = parsed.calls().get(i);
                out.add(call(i, c.id(), c.name(), ""));
                out.add(call(i, null, null, c.arguments()));
            }
            return out;
        }
    }
}
