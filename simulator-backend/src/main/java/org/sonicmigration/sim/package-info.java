/**
 * The simulator backend: an in-process Xen host ({@link org.sonicmigration.sim.SimHypervisor}) whose guests
 * ({@link org.sonicmigration.sim.SimGuest}) run a model of a Linux 6.1 kernel's memory management (zoned
 * allocator with watermarks, page cache with LRU, reclaim, writeback, slab growth) calibrated from the measured
 * profiles in {@code data/linux61-guest}, with workloads as deterministic step functions, page-granular dirty
 * logging, pause and suspend, and page content held as real bytes or derived from seeds. Destination domains
 * ({@link org.sonicmigration.sim.SimTargetDomain}) keep fingerprints of what they received, so
 * {@link org.sonicmigration.sim.MigrationVerifier} can check a migration, strictly or under the soft-page
 * invariant. A guest may load the SonicMigration module ({@link org.sonicmigration.sim.HintModule}, configured by
 * {@link org.sonicmigration.sim.HintModuleSpec}): a hint area in its own memory, reached by dom0 through
 * {@link org.sonicmigration.sim.SimHintChannel}.
 */
package org.sonicmigration.sim;
