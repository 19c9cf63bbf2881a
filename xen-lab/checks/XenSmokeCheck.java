package org.sonicmigration.xen.backend;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.SourceDomain;

/**
 * The real-Xen smoke check run in the Xen lab's dom0: {@code java ... org.sonicmigration.xen.backend.XenSmokeCheck DOMID}.
 * Opens the hypervisor, lists domains, enables log-dirty on DOMID, reads three CLEAN rounds, copies the
 * guest's first 1024 frames, captures its state (paused for that), turns log-dirty off. Every output line
 * starts with {@code XENCHECK }; exit status 0 only if every step worked, 1 if one failed, 2 on bad usage.
 */
public final class XenSmokeCheck {
    static final String PREFIX = "XENCHECK ";
    static final int FRAMES = 1024;
    static final int ROUNDS = 3;
    static final long ROUND_PAUSE_MILLIS = 200;

    private final PrintStream out;

    XenSmokeCheck(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new XenSmokeCheck(System.out).run(args));
    }

    int run(String[] args) {
        if (args.length != 1 || !args[0].matches("[0-9]{1,5}")) {
            say("usage: XenSmokeCheck DOMID (a numeric domain id, not 0)");
            return 2;
        }
        int domid = Integer.parseInt(args[0]);
        if (domid == 0) {
            say("usage: XenSmokeCheck DOMID (a numeric domain id, not 0)");
            return 2;
        }
        String step = "open";
        try (Hypervisor xen = new XenBackend().open()) {
            say("open ok: backend " + xen.backendName());
            step = "list";
            List<DomainInfo> domains = xen.listDomains();
            say("list ok: " + domains.size() + " domains");
            for (DomainInfo d : domains) {
                say("  domain " + d.domid() + " '" + d.name() + "' " + d.state() + " pfnLimit=" + d.pfnLimit()
                        + " pages=" + d.totalPages());
            }
            step = "openSource";
            try (SourceDomain source = xen.openSource(new DomainRef.ById(domid))) {
                DomainInfo info = source.info();
                say("openSource ok: domain " + domid + " '" + info.name() + "' pfnLimit=" + info.pfnLimit() + " state=" + info.state());
                step = "enableDirtyLog";
                try (DirtyLog log = source.enableDirtyLog()) {
                    say("enableDirtyLog ok");
                    PageBitmap dirty = new PageBitmap(info.pfnLimit());
                    for (int round = 1; round <= ROUNDS; round++) {
                        step = "clean round " + round;
                        log.fetchAndClean(dirty);
                        say("clean round " + round + " ok: " + dirty.cardinality() + " dirty of " + dirty.size());
                        Thread.sleep(ROUND_PAUSE_MILLIS);
                    }
                    step = "readFrames";
                    readFrames(source, (int) Math.min(FRAMES, info.pfnLimit()));
                    step = "captureState";
                    source.pause();
                    try {
                        PlatformState state = source.captureState();
                        say("captureState ok: cpuid " + state.cpuidPolicy().length + " bytes, msr " + state.msrPolicy().length
                                + " bytes, hvm context " + state.hvmContext().length + " bytes, " + state.hvmParams().size()
                                + " hvm params, tsc mode " + state.tsc().mode() + " khz " + state.tsc().khz());
                    } finally {
                        source.unpause();
                    }
                    step = "disableDirtyLog";
                }
                say("disableDirtyLog ok");
            }
            say("OK all steps passed");
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            say("FAIL " + step + ": interrupted");
            return 1;
        } catch (RuntimeException e) {
            say("FAIL " + step + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }

    private void readFrames(SourceDomain source, int count) {
        long[] pfns = new long[count];
        for (int i = 0; i < count; i++) {
            pfns[i] = i;
        }
        int[] errors = new int[count];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate((long) count * 4096, 4096);
            source.readFrames(pfns, count, dst, errors);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            int mapped = 0;
            for (int i = 0; i < count; i++) {
                if (errors[i] == 0) {
                    mapped++;
                    ByteBuffer page = dst.asSlice((long) i * 4096, 4096).asByteBuffer();
                    sha.update(page);
                }
            }
            say("readFrames ok: " + mapped + " mapped, " + (count - mapped) + " errored of " + count
                    + ", sha256 " + HexFormat.of().formatHex(sha.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private void say(String line) {
        out.println(PREFIX + line);
        out.flush();
    }
}
