package dev.ovserve.models.quality;

/**
 * How closely a candidate model follows its reference.
 *
 * @param prompts          prompts compared
 * @param positions        next-token distributions compared (teacher-forced, every position of every prompt)
 * @param meanKl           mean KL(P_reference ‖ P_candidate) over those positions, in nats
 * @param maxKl            the largest of them
 * @param top1Agreement    fraction of positions where both models' most likely next token is the same
 * @param maxTop1Regret    the most the reference's log-probability of the candidate's top-1 token falls short of
 *                         the reference's own top-1, in nats: small means disagreements are only near-ties
 * @param medianReferenceMargin median gap between the reference's two most likely tokens, in nats: how decisive
 *                         the reference is on these inputs, hence how much noise top-1 agreement tolerates
 * @param meanGreedyPrefix mean length of the common prefix of the two greedy continuations
 * @param minGreedyPrefix  the shortest such prefix
 * @param fullMatches      prompts whose whole greedy continuation is the same
 * @param newTokens        greedy tokens generated per prompt
 */
public record FidelityReport(int prompts, int positions, double meanKl, double maxKl, double top1Agreement, double maxTop1Regret,
                             double medianReferenceMargin,
                             double meanGreedyPrefix, int minGreedyPrefix, int fullMatches, int newTokens) {}
