/**
 * The SonicMigration guest module of a simulated guest ({@link org.sonicmigration.sim.module.HintModule},
 * configured by {@link org.sonicmigration.sim.module.HintModuleSpec}): its hint area in the guest's own
 * kernel pages, the live soft set it publishes, and its side of the suspend handshake, following SPEC.md the
 * way the Linux module does. It reaches the kernel only through
 * {@link org.sonicmigration.sim.kernel.ModuleKernel}.
 */
package org.sonicmigration.sim.module;
