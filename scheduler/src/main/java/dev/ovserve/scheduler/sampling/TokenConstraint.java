package dev.ovserve.scheduler.sampling;

/**
 * A compiled constraint on generated tokens (a JSON schema, a regex, a grammar, a choice list),
 * shared by every sequence of a request. Immutable and safe to share across threads; each
 * sequence walks it through its own {@link ConstraintState}.
 *
 * <p>The scheduler knows nothing of grammars: the sampler only asks which tokens are allowed
 * next and reports the token it took.
 */
public interface TokenConstraint {
    /** A fresh state at the start of the constrained output. */
    ConstraintState start();

    /** A short description for logs and errors, e.g. {@code json_schema} or {@code regex}. */
    String kind();
}
