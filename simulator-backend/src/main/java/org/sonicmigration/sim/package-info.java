/**
 * The simulator backend: an in-process Xen host ({@link org.sonicmigration.sim.SimHypervisor}) whose guests
 * ({@link org.sonicmigration.sim.SimGuest}) run a model of a Linux 6.1 kernel's memory management (zoned
 * allocator with watermarks, page cache with LRU, reclaim, writeback, slab growth) calibrated from the measured
 * profiles in {@code data/linux61-guest}, with workloads as deterministic step functions, page-granular dirty
 * logging, pause and suspend, and page content held as real bytes or derived from seeds. Destination domains
 * ({@link org.sonicmigration.sim.SimTargetDomain}) keep fingerprints of what they received, so
 * {@link org.sonicmigration.sim.MigrationVerifier} can check a migration.
 */
package org.sonicmigration.sim;
