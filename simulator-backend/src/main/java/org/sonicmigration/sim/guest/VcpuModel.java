package org.sonicmigration.sim.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.PageContent;
import org.sonicmigration.spi.PlatformState;

/**
 * The guest's vCPUs and platform, as far as a migration carries them: registers that move as the guest runs
 * (advanced by the work its programs do) and a run-time clock that stops while the guest is paused or
 * suspended. {@link #capture} renders them in the shapes Xen 4.17 writes for a PVH guest: 51 CPUID leaves of
 * 24 bytes, 2 MSR entries of 16 bytes (MSRs 0xce and 0x10a), TSC info, an HVM context blob framed like Xen's
 * save records (typecode, instance, length, body; the bodies here are synthetic) and 8 HVM params whose
 * values are the special-page pfns.
 */
final class VcpuModel {
    private static final int GP_REGS = 16;
    private final long[][] regs;
    private final long seed;
    private long runNanos;
    private long work;

    VcpuModel(int vcpus, long seed) {
        this.seed = seed;
        this.regs = new long[vcpus][GP_REGS + 2];
        for (int v = 0; v < vcpus; v++) {
            for (int r = 0; r < regs[v].length; r++) {
                regs[v][r] = PageContent.seed(seed, v, r);
            }
        }
    }

    /** The guest ran for {@code dtNanos} and did {@code units} of work. */
    void advance(long dtNanos, long units) {
        runNanos += dtNanos;
        work += units;
        for (long[] r : regs) {
            r[GP_REGS] += 3 * units + dtNanos / 1000; // rip
            r[GP_REGS + 1] = runNanos; // tsc-like
            int i = Math.floorMod(work, GP_REGS);
            r[i] = PageContent.mix(r[i] ^ work);
        }
    }

    long runNanos() {
        return runNanos;
    }

    PlatformState capture() {
        PlatformState.CpuPolicy policy = policy();
        ByteBuffer ctx = le(8 + 24 + regs.length * (8 + regs[0].length * 8) + 8);
        record(ctx, 1, 0, 24);
        ctx.putInt(0x54381286).putInt(1).putLong(0).putInt(0).putInt(2_000_000);
        for (int v = 0; v < regs.length; v++) {
            record(ctx, 2, v, regs[v].length * 8);
            for (long r : regs[v]) {
                ctx.putLong(r);
            }
        }
        record(ctx, 0, 0, 0);

        List<PlatformState.HvmParam> params = new ArrayList<>();
        long special = FrameSpace.SPECIAL_PFN;
        params.add(new PlatformState.HvmParam(1, special + 4)); // xenstore pfn
        params.add(new PlatformState.HvmParam(5, special + 5)); // ioreq pfn
        params.add(new PlatformState.HvmParam(6, special + 3)); // bufioreq pfn
        params.add(new PlatformState.HvmParam(27, special)); // paging ring pfn
        params.add(new PlatformState.HvmParam(28, special + 1)); // monitor ring pfn
        params.add(new PlatformState.HvmParam(29, special + 2)); // sharing ring pfn
        params.add(new PlatformState.HvmParam(17, special + 7)); // console pfn
        params.add(new PlatformState.HvmParam(12, special + 6)); // identity page table pfn
        return new PlatformState(policy.cpuid(), policy.msr(),
                new PlatformState.TscInfo(0, 2_000_000, runNanos, 0), ctx.array(), params);
    }

    /** The guest's CPUID and MSR policies: fixed at creation, like a Xen domain's. */
    PlatformState.CpuPolicy policy() {
        ByteBuffer cpuid = le(51 * 24);
        for (int i = 0; i < 51; i++) {
            long leaf = i < 26 ? i : 0x80000000L + (i - 26);
            cpuid.putInt((int) leaf).putInt(0);
            long v = PageContent.seed(seed, 0xC0, i);
            cpuid.putInt((int) v).putInt((int) (v >>> 32)).putInt((int) ~v).putInt((int) (v >>> 16));
        }
        ByteBuffer msr = le(32);
        msr.putInt(0xce).putInt(0).putLong(0x80000000L);
        msr.putInt(0x10a).putInt(0).putLong(PageContent.seed(seed, 0x10a, 0) & 0xFFFF);
        return new PlatformState.CpuPolicy(cpuid.array(), msr.array());
    }

    private static void record(ByteBuffer b, int type, int instance, int length) {
        b.putShort((short) type).putShort((short) instance).putInt(length);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
