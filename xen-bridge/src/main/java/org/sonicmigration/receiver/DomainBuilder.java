package org.sonicmigration.receiver;

import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.longlong.Roaring64Bitmap;
import org.sonicmigration.spi.DomainSpec;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.TargetDomain;
import org.sonicmigration.spi.DeviceModelState;
import org.sonicmigration.stream.DomainHeader;
import org.sonicmigration.stream.EmulatorRecord;
import org.sonicmigration.stream.ImageHeader;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.RecordTypes;
import org.sonicmigration.stream.StreamSink;
import org.sonicmigration.stream.XlHeader;

/**
 * Turns a stream, as the reader delivers it, into a destination domain: creates it when the headers
 * arrive, fills frames with data, allocates the "no data" ones, and installs the state at the end.
 * The stream is untrusted, so every frame number is checked against the domain's frame space.
 */
final class DomainBuilder implements StreamSink {
    private final Hypervisor hypervisor;
    private final String nameOverride;
    private final NameClash clash;
    private String replaces;
    private ReceivedConfig config = ReceivedConfig.NONE;
    private TargetDomain target;
    private long pfnLimit;
    private OptionalLong pageLimit = OptionalLong.empty();
    /**
     * Frames populated so far, each once however often the stream resends it (compressed sets: untrusted pfns).
     * Frames below 2^32 (16 TiB) go to a 32-bit set, whose one-step test-and-add costs a fraction of the
     * 64-bit set's two tree walks, which were a tenth of the receiver's time per page.
     */
    private final RoaringBitmap populatedLow = new RoaringBitmap();
    private final Roaring64Bitmap populatedHigh = new Roaring64Bitmap();
    private long populatedCount;
    private int pageSize;
    private long[] dataPfns = new long[0];
    private long[] allocPfns = new long[0];
    private boolean stateSeen;
    /** The device model's records (an HVM guest's), in stream order. */
    private final java.util.List<EmulatorRecord> emulator = new java.util.ArrayList<>();

    long pagesWithData;
    long pagesAllocated;
    long holes;

    DomainBuilder(Hypervisor hypervisor, String nameOverride) {
        this(hypervisor, nameOverride, NameClash.REFUSE);
    }

    DomainBuilder(Hypervisor hypervisor, String nameOverride, NameClash clash) {
        this.hypervisor = hypervisor;
        this.nameOverride = nameOverride;
        this.clash = clash;
    }

    @Override
    public void onXlHeader(XlHeader h) {
        config = ReceivedConfig.parse(h.jsonConfig());
    }

    @Override
    public void onImage(ImageHeader image, DomainHeader domain) {
        pageSize = 1 << domain.pageShift();
        pfnLimit = config.pfnLimit(pageSize);
        pageLimit = config.pageLimit(pageSize);
        String name = nameOverride != null ? nameOverride : config.name().orElse("restored");
        if (taken(name)) {
            // Before any page: a refused stream costs the source one header's worth of bytes.
            if (clash == NameClash.REFUSE) {
                throw new ReceiveException("a domain named '" + name + "' already exists on this host: remove it,"
                        + " or receive with --replace to replace it once the new copy has arrived");
            }
            String incoming = NameClash.incoming(name);
            if (taken(incoming)) {
                throw new ReceiveException("a domain named '" + incoming + "' already exists on this host (left by"
                        + " an earlier replacement?): remove it first");
            }
            replaces = name;
            name = incoming;
        }
        target = hypervisor.createTarget(new DomainSpec(name, pfnLimit, pageSize, domain.type()));
    }

    @Override
    public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {
        if (target == null) {
            throw new ReceiveException("page data before the domain header");
        }
        if (dataPfns.length < count) {
            dataPfns = new long[count];
            allocPfns = new long[count];
        }
        int d = 0;
        int a = 0;
        for (int i = 0; i < count; i++) {
            long pfn = pfns[i];
            PageType t = types[i];
            if (t == PageType.XTAB || t == PageType.BROKEN) {
                holes++;
                continue;
            }
            if (pfn >= pfnLimit) {
                throw new ReceiveException("frame " + Long.toHexString(pfn) + " lies beyond the domain's frame space (limit "
                        + Long.toHexString(pfnLimit) + ")");
            }
            if (firstTime(pfn)) {
                populatedCount++;
                if (pageLimit.isPresent() && populatedCount > pageLimit.getAsLong()) {
                    throw new ReceiveException("the stream populates more than the " + pageLimit.getAsLong()
                            + " frames the domain's configured memory allows (max_memkb " + config.maxMemKb()
                            + ", video_memkb " + config.videoMemKb() + ", and 1 MiB)");
                }
            }
            if (t.hasData()) {
                dataPfns[d++] = pfn;
            } else {
                allocPfns[a++] = pfn;
            }
        }
        if (d > 0) {
            target.writeFrames(dataPfns, d, data);
        }
        if (a > 0) {
            target.populate(allocPfns, a);
        }
        pagesWithData += d;
        pagesAllocated += a;
    }

    /** Marks {@code pfn} populated; true if it was not before. */
    private boolean firstTime(long pfn) {
        if (pfn >>> 32 == 0) {
            return populatedLow.checkedAdd((int) pfn);
        }
        if (populatedHigh.contains(pfn)) {
            return false;
        }
        populatedHigh.addLong(pfn);
        return true;
    }

    @Override
    public void onPlatformState(PlatformState s) {
        if (target == null) {
            throw new ReceiveException("platform state before the domain header");
        }
        target.restoreState(s);
        stateSeen = true;
    }

    @Override
    public void onEmulatorRecord(EmulatorRecord record) {
        if (!stateSeen) {
            throw new ReceiveException("a device model's record before the guest's vCPU state");
        }
        emulator.add(record);
    }

    /** The device model's state the records carry: one emulator, at most one key set, exactly one context. */
    private DeviceModelState deviceModel() {
        int id = emulator.getFirst().emulatorId();
        java.util.Map<String, String> keys = null;
        byte[] context = null;
        for (EmulatorRecord r : emulator) {
            if (r.emulatorId() != id || r.index() != 0) {
                throw new ReceiveException("the stream carries more than one device model (emulator " + id + " and "
                        + r.emulatorId() + " index " + r.index() + "): not supported");
            }
            if ((r instanceof EmulatorRecord.XenstoreData ? keys : context) != null) {
                throw new ReceiveException("the stream carries the device model's " + RecordTypes.libxlName(r.type()) + " twice");
            }
            switch (r) {
                case EmulatorRecord.XenstoreData x -> keys = x.entries();
                case EmulatorRecord.Context c -> context = c.data();
            }
        }
        keys = keys == null ? java.util.Map.of() : keys;
        if (context == null) {
            throw new ReceiveException("the stream carries the device model's keys but not its state (no EMULATOR_CONTEXT)");
        }
        return new DeviceModelState(id, keys, context);
    }

    private boolean taken(String name) {
        return hypervisor.listDomains().stream().anyMatch(d -> name.equals(d.name()));
    }

    /** The existing domain the built one is to replace at handover, if any. */
    java.util.Optional<String> replaces() {
        return java.util.Optional.ofNullable(replaces);
    }

    /** The built domain, once the whole stream has been read. */
    TargetDomain finish() {
        if (target == null) {
            throw new ReceiveException("the stream ended before any domain was described");
        }
        if (!stateSeen) {
            throw new ReceiveException("the stream carried no vCPU/platform state");
        }
        if (!emulator.isEmpty()) {
            target.restoreDeviceModel(deviceModel());
        }
        return target;
    }

    /** Throws away whatever was built; safe to call at any point. */
    void discard() {
        if (target != null) {
            try {
                target.destroy();
            } finally {
                target.close();
            }
        }
    }
}
