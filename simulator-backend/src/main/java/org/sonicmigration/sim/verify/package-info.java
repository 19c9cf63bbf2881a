/**
 * Checking a migration: {@link org.sonicmigration.sim.verify.MigrationVerifier} compares a simulated
 * destination domain with the source guest as it was at suspend, page by page, under a
 * {@link org.sonicmigration.sim.verify.VerificationMode}, and says per class of page how many it checked.
 */
package org.sonicmigration.sim.verify;
