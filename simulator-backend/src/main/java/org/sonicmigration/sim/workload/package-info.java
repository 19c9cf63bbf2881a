/**
 * Programs that run in a simulated guest: their configuration ({@link org.sonicmigration.sim.workload.WorkloadSpec})
 * and their deterministic step functions ({@link org.sonicmigration.sim.workload.Workload}), which act on the
 * kernel only through {@link org.sonicmigration.sim.kernel.ProcessKernel}.
 */
package org.sonicmigration.sim.workload;
