package org.sonicmigration.spi;

import java.util.List;

/**
 * The non-memory state of a domain as a migration stream carries it, kept opaque: the engine moves
 * these bytes, only the hypervisor (or the simulator) interprets them.
 *
 * @param cpuidPolicy X86_CPUID_POLICY body (24-byte leaves)
 * @param msrPolicy   X86_MSR_POLICY body (16-byte entries)
 * @param tsc         X86_TSC_INFO fields
 * @param hvmContext  HVM_CONTEXT body: vCPU registers and platform devices
 * @param hvmParams   HVM_PARAMS entries
 */
public record PlatformState(byte[] cpuidPolicy, byte[] msrPolicy, TscInfo tsc, byte[] hvmContext,
                            List<HvmParam> hvmParams) {

    /** TSC mode and frequency as Xen records them. */
    public record TscInfo(int mode, int khz, long nsec, int incarnation) {}

    /**
     * The CPUID and MSR policies alone: static for a domain's life, so available while it runs, and
     * what a stream carries before any page.
     */
    public record CpuPolicy(byte[] cpuid, byte[] msr) {
        public CpuPolicy {
            cpuid = cpuid.clone();
            msr = msr.clone();
        }

        @Override
        public byte[] cpuid() {
            return cpuid.clone();
        }

        @Override
        public byte[] msr() {
            return msr.clone();
        }
    }

    /** One HVM parameter. */
    public record HvmParam(long index, long value) {}

    public PlatformState {
        cpuidPolicy = cpuidPolicy.clone();
        msrPolicy = msrPolicy.clone();
        hvmContext = hvmContext.clone();
        hvmParams = List.copyOf(hvmParams);
    }

    @Override
    public byte[] cpuidPolicy() {
        return cpuidPolicy.clone();
    }

    @Override
    public byte[] msrPolicy() {
        return msrPolicy.clone();
    }

    @Override
    public byte[] hvmContext() {
        return hvmContext.clone();
    }
}
