/**
 * A simulated guest ({@link org.sonicmigration.sim.guest.SimGuest}, configured by
 * {@link org.sonicmigration.sim.guest.GuestConfig}): the kernel, its workloads and its module stepped together
 * in quanta of guest time on one vCPU context, on a real-time or virtual clock, with pause, suspend and the
 * platform state a migration carries.
 */
package org.sonicmigration.sim.guest;
