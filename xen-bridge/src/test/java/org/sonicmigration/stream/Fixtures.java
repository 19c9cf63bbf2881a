package org.sonicmigration.stream;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;
import org.sonicmigration.spi.PlatformState;

/** Test data: platform states, page contents, streams written by StreamWriter, and a hand-built Xen-like stream. */
final class Fixtures {

    private Fixtures() {}

    /** HVM params Xen 4.17 sent for the lab's PVH guest (indices from xen-facts §9). */
    static final long[] XEN_PARAM_INDICES = {1, 5, 6, 27, 28, 29, 17, 12};

    /** A platform state sized like the lab's PVH guest: 51 CPUID leaves, 2 MSRs, 2504-byte context, 8 params. */
    static PlatformState xenLikeState() {
        return state(51, new long[] {0xce, 0x10a}, 2504, XEN_PARAM_INDICES);
    }

    static PlatformState state(int cpuidLeaves, long[] msrs, int contextBytes, long[] paramIndices) {
        byte[] cpuid = new byte[24 * cpuidLeaves];
        ByteBuffer c = ByteBuffer.wrap(cpuid).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < cpuidLeaves; i++) {
            c.putInt(i < 20 ? i : 0x8000_0000 + i).putInt(0xFFFF_FFFF).putInt(0x756e6547 + i).putInt(i * 7)
                    .putInt(0x6c65746e).putInt(0x49656e69);
        }
        byte[] msr = new byte[16 * msrs.length];
        ByteBuffer m = ByteBuffer.wrap(msr).order(ByteOrder.LITTLE_ENDIAN);
        for (long idx : msrs) {
            m.putInt((int) idx).putInt(0).putLong(idx * 0x1234567L);
        }
        byte[] context = pattern(contextBytes, 0x5A);
        List<PlatformState.HvmParam> params = new ArrayList<>();
        for (long idx : paramIndices) {
            params.add(new PlatformState.HvmParam(idx, 0xfeff0L + idx));
        }
        return new PlatformState(cpuid, msr, new PlatformState.TscInfo(0, 2_893_000, 123_456_789_012L, 1),
                context, params);
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 31 + (i >>> 8));
        }
        return b;
    }

    /** Recognisable 4096-byte content of a pfn. */
    static byte[] page(long pfn, int seed) {
        byte[] b = new byte[4096];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 512; i++) {
            bb.putLong(pfn * 0x9E3779B97F4A7C15L + i * 0x632BE59BD9B4E019L + seed);
        }
        return b;
    }

    /** The packed contents of the entries with data, as writePages wants them. */
    static byte[] pagesFor(long[] pfns, PageType[] types, int count, int seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            if (types[i].hasData()) {
                out.writeBytes(page(pfns[i], seed));
            }
        }
        return out.toByteArray();
    }

    /** An xl config of about the size xl writes for a small PVH guest. */
    static String xlConfig() {
        StringBuilder s = new StringBuilder("{\n    \"c_info\": {\n        \"type\": \"pvh\",\n        \"name\": \"guest\",\n"
                + "        \"uuid\": \"3f1c5a0e-6f7b-4d0e-9a44-2b7b1c0d9e11\",\n        \"run_hotplug_scripts\": \"True\"\n    },\n"
                + "    \"b_info\": {\n        \"max_vcpus\": 1,\n        \"avail_vcpus\": [0],\n        \"max_memkb\": 131072,\n"
                + "        \"target_memkb\": 131072,\n"
                + "        \"kernel\": \"/boot/vmlinuz-6.1.0-guest\",\n        \"cmdline\": \"console=hvc0 root=/dev/xvda\",\n"
                + "        \"ramdisk\": \"/boot/initrd.img-6.1.0-guest\",\n        \"type.pvh\": {\n            \"pvshim\": \"False\"\n"
                + "        },\n        \"arch_arm\": {},\n        \"arch_x86\": {\n            \"msr_relaxed\": \"False\"\n        }\n"
                + "    },\n    \"disks\": [\n        {\n            \"pdev_path\": \"/dev/vg0/guest\",\n            \"vdev\": \"xvda\",\n"
                + "            \"format\": \"raw\",\n            \"readwrite\": 1\n        }\n    ],\n"
                + "    \"on_reboot\": \"restart\",\n    \"on_soft_reset\": \"soft_reset\"\n}\n");
        return s.toString();
    }

    // ------------------------------------------------------------------ streams written by StreamWriter

    /** A small HVM stream with every page type, in the given framing. */
    static byte[] smallStream(Framing framing, PlatformState state) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        begin(w, framing);
        w.writeStaticState(state);
        PageType[] all = PageType.values();
        long[] pfns = new long[all.length * 3];
        PageType[] types = new PageType[pfns.length];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = 0x100 + i;
            types[i] = all[i % all.length];
        }
        w.writePages(pfns, types, pfns.length, MemorySegment.ofArray(pagesFor(pfns, types, pfns.length, 1)));
        long[] soft = {0x1000, 0x1001, 0x1002, 0xfefff};
        PageType[] softTypes = {PageType.XALLOC, PageType.XALLOC, PageType.XTAB, PageType.NOTAB};
        w.writePages(soft, softTypes, 4, MemorySegment.ofArray(pagesFor(soft, softTypes, 4, 2)));
        w.writeFinalState(state);
        end(w, framing);
        return out.toByteArray();
    }

    static void begin(StreamWriter w, Framing framing) {
        if (framing == Framing.XL) {
            w.writeXlHeader(xlConfig());
        }
        if (framing != Framing.LIBXC) {
            w.writeLibxlHeader();
        }
        w.beginLibxc(DomainHeader.hvm(4, 17));
    }

    static void end(StreamWriter w, Framing framing) {
        w.endLibxc();
        if (framing != Framing.LIBXC) {
            w.endLibxl();
        }
    }

    // ------------------------------------------------------------------ hand-built Xen-like stream

    /**
     * An xl save file laid out as Xen 4.17 writes one for a PVH guest (xen-facts §9), built byte by
     * byte here without StreamWriter: xl header with JSON config, LibxlFmt, LIBXC_CONTEXT, image v3,
     * HVM domain header from Xen 4.17, CPUID (51 leaves), MSR (2 entries), STATIC_DATA_END, PAGE_DATA
     * batches of 1024 walking 0..maxPfn with populated pfns as NOTAB and holes as XTAB, X86_TSC_INFO,
     * HVM_CONTEXT (2504), HVM_PARAMS (8), END, libxl END.
     */
    static byte[] xenLikeSave(long maxPfn, LongPredicate populated, PlatformState state) {
        Le out = new Le();
        byte[] config = xlConfig().getBytes(StandardCharsets.UTF_8);
        out.bytes("Xen saved domain, xl format\n \0 \r".getBytes(StandardCharsets.ISO_8859_1));
        out.u32(0x01020304).u32(3).u32(0).u32(4 + config.length + 1);
        out.u32(config.length + 1).bytes(config).u8(0);
        out.bytes(new byte[] {'L', 'i', 'b', 'x', 'l', 'F', 'm', 't', 0, 0, 0, 2, 0, 0, 0, 0});
        out.u32(1).u32(0);                                                     // LIBXC_CONTEXT
        out.bytes(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, 'X', 'E', 'N', 'F', 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0});
        out.u32(2).u16(12).u16(0).u32(4).u32(17);
        out.u32(0x11).u32(state.cpuidPolicy().length).bytes(state.cpuidPolicy());
        out.u32(0x12).u32(state.msrPolicy().length).bytes(state.msrPolicy());
        out.u32(0x10).u32(0);
        for (long base = 0; base <= maxPfn; base += 1024) {
            int n = (int) Math.min(1024, maxPfn + 1 - base);
            int withData = 0;
            for (int i = 0; i < n; i++) {
                withData += populated.test(base + i) ? 1 : 0;
            }
            out.u32(1).u32(8 + 8 * n + 4096 * withData).u32(n).u32(0);
            for (int i = 0; i < n; i++) {
                long pfn = base + i;
                out.u64(populated.test(pfn) ? pfn : (0xFL << 60) | pfn);
            }
            for (int i = 0; i < n; i++) {
                if (populated.test(base + i)) {
                    out.bytes(page(base + i, 0));
                }
            }
        }
        PlatformState.TscInfo t = state.tsc();
        out.u32(0x08).u32(24).u32(t.mode()).u32(t.khz()).u64(t.nsec()).u32(t.incarnation()).u32(0);
        byte[] ctx = state.hvmContext();
        out.u32(0x09).u32(ctx.length).bytes(ctx).bytes(new byte[(8 - ctx.length % 8) % 8]);
        out.u32(0x0A).u32(8 + 16 * state.hvmParams().size()).u32(state.hvmParams().size()).u32(0);
        for (PlatformState.HvmParam p : state.hvmParams()) {
            out.u64(p.index()).u64(p.value());
        }
        out.u32(0).u32(0);                                                     // libxc END
        out.u32(0).u32(0);                                                     // libxl END
        return out.toByteArray();
    }

    /** The populated pfns of the lab's 128 MiB PVH guest, scaled: RAM below {@code ramPages}, a few special pages. */
    static LongPredicate pvhPopulated(long ramPages) {
        return pfn -> pfn < ramPages || (pfn >= 0xfc000 && pfn < 0xfc008) || (pfn >= 0xfeff8 && pfn <= 0xfefff);
    }

    /** Little-endian byte sink. */
    static final class Le {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Le u8(int v) { out.write(v); return this; }
        Le u16(int v) { out.write(b.clear().putShort((short) v).array(), 0, 2); return this; }
        Le u32(long v) { out.write(b.clear().putInt((int) v).array(), 0, 4); return this; }
        Le u64(long v) { out.write(b.clear().putLong(v).array(), 0, 8); return this; }
        Le bytes(byte[] v) { out.writeBytes(v); return this; }
        byte[] toByteArray() { return out.toByteArray(); }
    }

    /** A bare libxc image header of the given version plus an HVM domain header from Xen 4.17. */
    static Le libxcHeaders(int version) {
        return new Le().bytes(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, 'X', 'E', 'N', 'F', 0, 0, 0, (byte) version,
                0, 0, 0, 0, 0, 0, 0, 0}).u32(2).u16(12).u16(0).u32(4).u32(17);
    }

    /** Appends a record with its padding. */
    static Le record(Le out, int type, byte[] body) {
        return out.u32(type).u32(body.length).bytes(body).bytes(new byte[(8 - body.length % 8) % 8]);
    }

    /** TSC, HVM_CONTEXT, HVM_PARAMS and END of a minimal valid HVM libxc stream. */
    static Le finalRecords(Le out) {
        record(out, RecordTypes.X86_TSC_INFO, new byte[24]);
        record(out, RecordTypes.HVM_CONTEXT, new byte[] {1, 2, 3});
        record(out, RecordTypes.HVM_PARAMS, new Le().u32(1).u32(0).u64(12).u64(0xfeffd).toByteArray());
        return record(out, RecordTypes.END, new byte[0]);
    }

    /** Index of the first occurrence of a little-endian (type, length) record header, or -1. */
    static int findRecord(byte[] stream, int type, int length) {
        byte[] needle = new Le().u32(type).u32(length).toByteArray();
        outer:
        for (int i = 0; i + 8 <= stream.length; i++) {
            for (int j = 0; j < 8; j++) {
                if (stream[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }
}
