package org.sonicmigration.sim.guest;

/**
 * How a simulated guest's time passes: {@link #REAL_TIME} runs a driver thread that advances the guest by the
 * elapsed wall time about every millisecond; {@link #VIRTUAL} runs no thread, and the guest only moves when
 * someone calls {@link SimGuest#advance}, which makes runs reproducible and fast.
 */
public enum ClockMode {
    REAL_TIME, VIRTUAL
}
