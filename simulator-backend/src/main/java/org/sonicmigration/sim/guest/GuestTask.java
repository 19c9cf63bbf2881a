package org.sonicmigration.sim.guest;

import java.time.Duration;

/**
 * Code that runs inside a simulated guest on its vCPU context, once per quantum after the workloads, while
 * the guest runs (never while paused or suspended). This is where guest-side agents (such as a soft-page hint
 * module) live: they see the kernel state through {@link SimGuest}'s inspection methods and act through its
 * guest-side operations ({@link SimGuest#allocateKernelPages}, {@link SimGuest#writeBytes},
 * {@link SimGuest#dropCaches}).
 */
@FunctionalInterface
public interface GuestTask {
    void step(SimGuest guest, Duration dt);
}
