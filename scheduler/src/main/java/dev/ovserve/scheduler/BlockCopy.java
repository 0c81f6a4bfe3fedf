package dev.ovserve.scheduler;

/** Copy-on-write: block {@code source}'s keys and values (all layers) go to block {@code destination}. */
public record BlockCopy(int source, int destination) {}
