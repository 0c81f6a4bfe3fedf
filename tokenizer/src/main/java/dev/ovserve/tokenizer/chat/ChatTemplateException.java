package dev.ovserve.tokenizer.chat;

/**
 * A chat template could not be compiled or rendered. {@link #raisedByTemplate()} tells the
 * template's own {@code raise_exception(msg)} (the conversation broke a rule of the model, e.g.
 * roles that do not alternate: the client's fault) from any other template failure.
 */
public final class ChatTemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean raisedByTemplate;

    ChatTemplateException(String message, boolean raisedByTemplate) {
        super(message, null, false, false);
        this.raisedByTemplate = raisedByTemplate;
    }

    public boolean raisedByTemplate() {
        return raisedByTemplate;
    }
}
