/**
 * The simulated guest kernel's memory, the bottom layer of the simulator: one metadata word per frame
 * ({@link org.sonicmigration.sim.kernel.PageState} and a content descriptor) over a page store that keeps real
 * bytes or derives them from seeds ({@link org.sonicmigration.sim.kernel.PageFrames}), log-dirty tracking
 * ({@link org.sonicmigration.sim.kernel.DirtyTracker}), and {@link org.sonicmigration.sim.kernel.GuestKernel}:
 * a zoned allocator with Linux's watermarks, the page cache with its LRU, reclaim and writeback over a disk
 * model, calibrated from the measured Linux 6.1 profiles. Programs see the kernel through
 * {@link org.sonicmigration.sim.kernel.ProcessKernel}, a kernel module through
 * {@link org.sonicmigration.sim.kernel.ModuleKernel}. Depends on nothing else in the simulator.
 */
package org.sonicmigration.sim.kernel;
