/**
 * The simulator backend: an in-process Xen host ({@link org.sonicmigration.sim.SimHypervisor}, found by
 * {@link java.util.ServiceLoader} through {@link org.sonicmigration.sim.SimBackend}) that implements the backend
 * SPI over simulated guests: source handles ({@code SimSourceDomain}) with their dirty log and hint channel
 * ({@link org.sonicmigration.sim.SimHintChannel}), and destination domains
 * ({@link org.sonicmigration.sim.SimTargetDomain}) that keep fingerprints of what they received.
 *
 * <p>The simulator's packages, each depending only on those listed before it:
 * {@code sim.kernel} (a Linux 6.1 guest kernel's memory: frames, page content and stores, zones, page cache,
 * disk model, dirty tracking), {@code sim.workload} (programs run in a guest), {@code sim.module} (the
 * SonicMigration guest module), {@code sim.guest} (a guest tying them together with its clock and run state),
 * this package (the SPI), {@code sim.verify} (checking a migrated guest page by page) and
 * {@code sim.experiment} (whole migrations and the paper's experiments, driving the engine). Only the last one
 * uses the migration engine; no backend class does.
 */
package org.sonicmigration.sim;
