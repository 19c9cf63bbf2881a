/**
 * Whole simulated migrations ({@link org.sonicmigration.sim.experiment.SimulatedMigration}: two simulated hosts,
 * the real engine and receiver over loopback TCP, verification at the end) and the paper's experiments
 * ({@link org.sonicmigration.sim.experiment.Fig3Experiment}). The only simulator package that drives the
 * migration engine; nothing in the simulator depends on it.
 */
package org.sonicmigration.sim.experiment;
