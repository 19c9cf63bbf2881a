package org.sonicmigration.engine;

/**
 * How the suspend handshake with the guest ended, as listeners see it.
 *
 * @param finalSet       whether the guest gave a usable final soft set (else every stale page is sent)
 * @param finalSoftPages pages in that set (0 without one)
 * @param nanos          from the notification to the answer or the deadline, on the engine's clock
 * @param summary        the same in words, as the report says it
 */
public record HandshakeOutcome(boolean finalSet, long finalSoftPages, long nanos, String summary) {}
