/**
 * The user-space reference agent: SonicMigration's guest side without a kernel module. It classifies every
 * frame from {@code /proc/kpageflags} and {@code /proc/kpagecount} ({@link org.sonicmigration.guest.agent.KpageScanner}),
 * publishes the live soft set into a hint area ({@link org.sonicmigration.guest.agent.ReferenceAgent},
 * {@link org.sonicmigration.guest.agent.HintAreaFile}) and answers the suspend handshake by a stated
 * {@link org.sonicmigration.guest.agent.FinalSetPolicy}. {@link org.sonicmigration.guest.agent.ReferenceAgent}
 * documents what a user-space view of memory cannot promise.
 */
package org.sonicmigration.guest.agent;
