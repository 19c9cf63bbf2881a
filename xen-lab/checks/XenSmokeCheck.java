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
import org.sonicmigration.xen.backend.XenBackend;

/**
 * The lab's smoke check of the project's Xen backend against the real hypervisor, run in dom0 as
 * {@code java -cp cli/target/sonic.jar:$LAB_OUT/classes XenSmokeCheck DOMID}. Opens the hypervisor,
 * lists domains, enables log-dirty on DOMID, reads three CLEAN rounds, copies the guest's first 1024
 * frames, captures its state (paused for that), turns log-dirty off. Every output line starts with
 * {@code XENCHECK }. Exit status 0 only if every step worked and saw real work — the lab's guest
 * writes memory all the time, so rounds without a dirty page or a copy that mapped no frame mean the
 * backend is not looking at the guest — 1 with one FAIL line saying why otherwise, 2 on bad usage.
 */
public final class XenSmokeCheck {
    private static final String PREFIX = "XENCHECK ";
    private static final int FRAMES = 1024;
    private static final int ROUNDS = 3;
    private static final long ROUND_PAUSE_MILLIS = 200;

    /** A step that ran but saw nothing of the guest. */
    private static final class NothingSeen extends Exception {
        private static final long serialVersionUID = 1L;

        NothingSeen(String why) {
            super(why);
        }
    }

    private XenSmokeCheck() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    private static int run(String[] args) {
        if (args.length != 1 || !args[0].matches("[0-9]{1,5}") || Integer.parseInt(args[0]) == 0) {
            say("usage: XenSmokeCheck DOMID (a numeric domain id, not 0)");
            return 2;
        }
        int domid = Integer.parseInt(args[0]);
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
                say("openSource ok: domain " + domid + " '" + info.name() + "' pfnLimit=" + info.pfnLimit()
                        + " state=" + info.state());
                step = "enableDirtyLog";
                try (DirtyLog log = source.enableDirtyLog()) {
                    say("enableDirtyLog ok");
                    PageBitmap dirty = new PageBitmap(info.pfnLimit());
                    long seen = 0;
                    for (int round = 1; round <= ROUNDS; round++) {
                        step = "clean round " + round;
                        log.fetchAndClean(dirty);
                        seen += dirty.cardinality();
                        say("clean round " + round + " ok: " + dirty.cardinality() + " dirty of " + dirty.size());
                        Thread.sleep(ROUND_PAUSE_MILLIS);
                    }
                    if (seen == 0) {
                        throw new NothingSeen("no dirty page in " + ROUNDS + " log-dirty rounds of a guest that writes"
                                + " memory all the time");
                    }
                    step = "readFrames";
                    readFrames(source, (int) Math.min(FRAMES, info.pfnLimit()));
                    step = "captureState";
                    source.pause();
                    try {
                        PlatformState state = source.captureState();
                        say("captureState ok: cpuid " + state.cpuidPolicy().length + " bytes, msr "
                                + state.msrPolicy().length + " bytes, hvm context " + state.hvmContext().length
                                + " bytes, " + state.hvmParams().size() + " hvm params, tsc mode " + state.tsc().mode()
                                + " khz " + state.tsc().khz());
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
        } catch (NothingSeen e) {
            say("FAIL " + step + ": " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            say("FAIL " + step + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }

    private static void readFrames(SourceDomain source, int count) throws NothingSeen {
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
            if (mapped == 0) {
                throw new NothingSeen("none of the guest's first " + count + " frames could be mapped");
            }
            say("readFrames ok: " + mapped + " mapped, " + (count - mapped) + " errored of " + count
                    + ", sha256 " + HexFormat.of().formatHex(sha.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private static void say(String line) {
        System.out.println(PREFIX + line);
        System.out.flush();
    }
}
