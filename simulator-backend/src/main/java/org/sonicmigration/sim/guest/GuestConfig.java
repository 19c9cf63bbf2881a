package org.sonicmigration.sim.guest;

import java.util.List;
import java.util.Objects;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.sim.kernel.WritebackPolicy;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;

/**
 * Everything that defines a simulated guest: name, RAM size, page store, initial memory layout, frame-space
 * shape, the workloads started at creation, the seed all its randomness derives from, its clock, how it
 * answers suspend requests, its writeback timing, vCPU count, which SonicMigration guest module it has
 * loaded, and whether its kernel zeroes pages on allocation ({@code init_on_alloc}, on in Debian's kernels). The same config and the same schedule of {@link SimGuest#advance} calls give the same memory, byte
 * for byte.
 */
public record GuestConfig(String name, long memoryBytes, PageStoreMode storeMode, GuestLayout layout,
                          FrameSpace frameSpace, List<WorkloadSpec> workloads, long seed, ClockMode clock,
                          SuspendPolicy suspendPolicy, WritebackPolicy writeback, int vcpus, HintModuleSpec hintModule,
                          boolean initOnAlloc) {

    /** Largest guest the simulator accepts: 1 TiB (8 GiB of metadata at 8 bytes per page). */
    public static final long MAX_MEMORY_BYTES = 1L << 40;

    public GuestConfig {
        Objects.requireNonNull(storeMode, "storeMode");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(frameSpace, "frameSpace");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(suspendPolicy, "suspendPolicy");
        Objects.requireNonNull(writeback, "writeback");
        Objects.requireNonNull(hintModule, "hintModule");
        workloads = List.copyOf(workloads);
        if (name == null || name.isBlank() || name.length() > 64 || !name.matches("[A-Za-z0-9._-]+")) {
            throw new SimulatorException("guest name must be 1-64 characters of A-Z a-z 0-9 . _ -, got '" + name + "'");
        }
        if (memoryBytes < (1 << 20) || memoryBytes % 4096 != 0 || memoryBytes > MAX_MEMORY_BYTES) {
            throw new SimulatorException("guest memory must be a multiple of 4096 bytes between 1 MiB and 1 TiB, got "
                    + memoryBytes);
        }
        if (vcpus < 1 || vcpus > 128) {
            throw new SimulatorException("vcpus must be 1..128, got " + vcpus);
        }
        if (!initOnAlloc && !hintModule.holdsFinalSet() && !(hintModule instanceof HintModuleSpec.None)
                && !(hintModule instanceof HintModuleSpec.Hostile)) {
            // SPEC.md §5 F2: a listed page taken after the scan must be written before the suspend; only an
            // allocator that zeroes what it hands out guarantees that (a read in flight does not)
            throw new SimulatorException("a guest module that lists its final set needs a kernel with init_on_alloc;"
                    + " without it the module must hold the set (cooperative:hold)");
        }
        if (layout instanceof GuestLayout.Replay(MemoryProfile p)) {
            long ram = (p.pfnCount() - p.pages(PageClass.HOLE)) * 4096;
            if (ram != memoryBytes) {
                throw new SimulatorException("replayed profile has " + ram + " bytes of RAM but the config says " + memoryBytes);
            }
        }
    }

    /**
     * A calibrated Linux 6.1 guest with Xen's PVH frame space, automatic page store, real-time clock, seed 1,
     * {@code init_on_alloc} on (Debian's default), and the SonicMigration module loaded
     * ({@link HintModuleSpec#cooperative()}: it lists its final set).
     */
    public static GuestConfig linux61(String name, long memoryBytes) {
        return new GuestConfig(name, memoryBytes, PageStoreMode.AUTO, new GuestLayout.Linux61(), FrameSpace.XEN_PVH,
                List.of(), 1, ClockMode.REAL_TIME, SuspendPolicy.cooperative(), WritebackPolicy.linuxDefaults(), 1,
                HintModuleSpec.cooperative(), true);
    }

    /** A guest replaying a measured profile (pfn p of the profile is pfn p of the guest). */
    public static GuestConfig fromProfile(String name, MemoryProfile profile) {
        long ram = (profile.pfnCount() - profile.pages(PageClass.HOLE)) * 4096;
        return linux61(name, ram).withLayout(new GuestLayout.Replay(profile));
    }

    public GuestConfig withStoreMode(PageStoreMode m) {
        return new GuestConfig(name, memoryBytes, m, layout, frameSpace, workloads, seed, clock, suspendPolicy, writeback, vcpus, hintModule, initOnAlloc);
    }

    public GuestConfig withLayout(GuestLayout l) {
        return new GuestConfig(name, memoryBytes, storeMode, l, frameSpace, workloads, seed, clock, suspendPolicy, writeback, vcpus, hintModule, initOnAlloc);
    }

    public GuestConfig withFrameSpace(FrameSpace f) {
        return new GuestConfig(name, memoryBytes, storeMode, layout, f, workloads, seed, clock, suspendPolicy, writeback, vcpus, hintModule, initOnAlloc);
    }

    public GuestConfig withWorkloads(WorkloadSpec... w) {
        return new GuestConfig(name, memoryBytes, storeMode, layout, frameSpace, List.of(w), seed, clock, suspendPolicy, writeback, vcpus, hintModule, initOnAlloc);
    }

    public GuestConfig withSeed(long s) {
        return new GuestConfig(name, memoryBytes, storeMode, layout, frameSpace, workloads, s, clock, suspendPolicy, writeback, vcpus, hintModule, initOnAlloc);
    }

    public GuestConfig withClock(ClockMode c) {
        return new GuestConfig(name, memoryBytes, storeMode, layout, frameSpace, workloads, seed, c, suspendPolicy, writeback, vcpus, hintModule, initOnAlloc);
    }

    public GuestConfig withSuspendPolicy(SuspendPolicy p) {
        return new GuestConfig(name, memoryBytes, storeMode, layout, frameSpace, workloads, seed, clock, p, writeback, vcpus, hintModule, initOnAlloc);
    }

    public GuestConfig withWriteback(WritebackPolicy w) {
        return new GuestConfig(name, memoryBytes, storeMode, layout, frameSpace, workloads, seed, clock, suspendPolicy, w, vcpus, hintModule, initOnAlloc);
    }

    public GuestConfig withVcpus(int n) {
        return new GuestConfig(name, memoryBytes, storeMode, layout, frameSpace, workloads, seed, clock, suspendPolicy, writeback, n, hintModule, initOnAlloc);
    }

    /** The guest's SonicMigration module ({@link HintModuleSpec.None}: none, the guest offers no hints). */
    public GuestConfig withHintModule(HintModuleSpec m) {
        return new GuestConfig(name, memoryBytes, storeMode, layout, frameSpace, workloads, seed, clock, suspendPolicy, writeback, vcpus, m, initOnAlloc);
    }

    /** Whether the kernel zeroes pages on allocation ({@code init_on_alloc}). */
    public GuestConfig withInitOnAlloc(boolean on) {
        return new GuestConfig(name, memoryBytes, storeMode, layout, frameSpace, workloads, seed, clock, suspendPolicy, writeback, vcpus, hintModule, on);
    }

    /** RAM in 4 KiB pages. */
    public long ramPages() {
        return memoryBytes / 4096;
    }
}
