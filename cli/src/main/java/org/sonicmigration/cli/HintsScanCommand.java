package org.sonicmigration.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sonicmigration.guest.agent.AgentException;
import org.sonicmigration.guest.agent.AgentScan;
import org.sonicmigration.guest.agent.KpageFiles;
import org.sonicmigration.guest.agent.KpageScanner;
import org.sonicmigration.guest.agent.Meminfo;
import org.sonicmigration.guest.agent.MeminfoRow;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.guest.profile.ProfileJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sonic hints scan}: classifies every page frame of the machine it runs on (or of a saved
 * kpageflags/kpagecount snapshot) exactly as the reference agent does, shows the class totals next to
 * {@code /proc/meminfo}, and what SonicMigration could skip; optionally saves the layout as a profile the
 * simulator replays ({@code sonic simulate --profile}).
 */
@Command(name = "scan", footer = {"", "Examples:", "  sudo sonic hints scan", "  sudo sonic hints scan --profile me.json", "  sonic hints scan --kpageflags cache.kpageflags.gz --kpagecount cache.kpagecount.gz --meminfo cache.meminfo"},
        mixinStandardHelpOptions = true, description = {
        "Classify every page frame of this machine (or of a saved snapshot) and show what SonicMigration could skip.",
        "Reads /proc/kpageflags and /proc/kpagecount (root only) and compares the totals with /proc/meminfo."})
final class HintsScanCommand implements Callable<Integer> {
    private static final String NAME = "sonic hints scan";

    @Option(names = "--kpageflags", paramLabel = "FILE",
            description = "A saved kpageflags file, raw or .gz (default: /proc/kpageflags). Needs --kpagecount.")
    Path kpageflags;

    @Option(names = "--kpagecount", paramLabel = "FILE",
            description = "The kpagecount file saved with it, raw or .gz (default: /proc/kpagecount).")
    Path kpagecount;

    @Option(names = "--meminfo", paramLabel = "FILE",
            description = "meminfo to compare with, raw or .gz (default: /proc/meminfo when scanning /proc; none for a snapshot).")
    Path meminfo;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Also save the page-class layout as JSON, for 'sonic simulate --profile FILE'.")
    Path profile;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One class's total. */
    record ClassTotal(String name, String label, long pages, double mib) {}

    /** One meminfo comparison, in KiB. */
    record MeminfoLine(String field, long meminfoKib, long classesKib, long differenceKib, String countedAs) {}

    /** What SonicMigration could skip: free and clean page cache, out of the RAM frames. */
    record Soft(long pages, double mib, double fractionOfRam, long mustSendPages, double mustSendMib) {}

    /** The whole result, as {@code --json} prints it. */
    record ScanReport(String source, long pfnCount, long ramPages, double scanSeconds, List<ClassTotal> classes,
                      Soft soft, String meminfoSource, List<MeminfoLine> meminfo, String profileSavedTo) {}

    @Override
    public Integer call() throws Exception {
        if ((kpageflags == null) != (kpagecount == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--kpageflags and --kpagecount go together (a snapshot needs both files)");
        }
        KpageFiles files = kpageflags == null ? KpageFiles.proc() : new KpageFiles(kpageflags, kpagecount);
        Path meminfoFile = meminfo != null ? meminfo : files.isLive() ? Meminfo.PROC_MEMINFO : null;
        PrintWriter err = spec.commandLine().getErr();
        ScanReport report;
        try {
            // meminfo first, as the profiles were taken: the scan itself allocates a little
            Meminfo mi = meminfoFile == null ? null : Meminfo.read(meminfoFile);
            AgentScan scan = KpageScanner.scan(files);
            if (profile != null) {
                try {
                    ProfileJson.write(scan.profile(), profile);
                } catch (java.io.IOException e) {
                    throw new AgentException(AgentException.Kind.IO, "cannot write profile " + profile + ": "
                            + (e instanceof java.nio.file.NoSuchFileException ? "no such directory" : e.getMessage()), e);
                }
            }
            report = report(scan, mi);
        } catch (AgentException e) {
            err.println(e.kind() == AgentException.Kind.NEEDS_ROOT ? NAME + " needs root: " + e.getMessage()
                    : NAME + ": " + e.getMessage());
            debugTrace(e, err);
            err.flush();
            return Errors.FAILED;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            out.println(PrettyJson.MAPPER.writeValueAsString(report));
        } else if (!output.quiet) {
            printText(out, report);
        }
        out.flush();
        return 0;
    }

    private void debugTrace(Exception e, PrintWriter err) {
        if (spec.root().userObject() instanceof Sonic root && root.debug) {
            e.printStackTrace(err);
        }
    }

    private ScanReport report(AgentScan scan, Meminfo mi) {
        MemoryProfile p = scan.profile();
        List<ClassTotal> classes = new ArrayList<>();
        for (PageClass c : PageClass.values()) {
            classes.add(new ClassTotal(c.name(), c.label(), p.pages(c), p.mib(c)));
        }
        long ram = p.pfnCount() - p.pages(PageClass.HOLE);
        long soft = scan.soft().cardinality();
        Soft s = new Soft(soft, MemoryProfile.toMib(soft), ram == 0 ? 0 : (double) soft / ram, ram - soft,
                MemoryProfile.toMib(ram - soft));
        List<MeminfoLine> lines = new ArrayList<>();
        if (mi != null) {
            for (MeminfoRow r : mi.compare(p)) {
                lines.add(new MeminfoLine(r.field(), r.meminfoKib(), r.fromClassesKib(), r.differenceKib(), r.countedAs()));
            }
        }
        return new ScanReport(p.source(), p.pfnCount(), ram, scan.scanNanos() / 1e9, classes, s,
                mi == null ? null : mi.source(), lines, profile == null ? null : profile.toString());
    }

    private static void printText(PrintWriter out, ScanReport r) {
        out.printf(Locale.ROOT, "%s: %s, %d frames (%.1f MiB of frame space), %.2f s%n", NAME, r.source(), r.pfnCount(),
                MemoryProfile.toMib(r.pfnCount()), r.scanSeconds());
        out.println();
        out.printf(Locale.ROOT, "  %-40s %12s %12s%n", "class", "pages", "MiB");
        long sum = 0;
        for (ClassTotal c : r.classes()) {
            out.printf(Locale.ROOT, "  %-40s %12d %12.2f%n", c.label(), c.pages(), c.mib());
            sum += c.pages();
        }
        out.printf(Locale.ROOT, "  %-40s %12d %12.2f%n", "sum of classes", sum, MemoryProfile.toMib(sum));
        if (r.meminfoSource() != null) {
            out.println();
            out.printf(Locale.ROOT, "  %s (read before the scan) vs classes, in kB:%n", r.meminfoSource());
            out.printf(Locale.ROOT, "  %-16s %12s %12s %11s  %s%n", "field", "meminfo", "classes", "difference", "counted as");
            for (MeminfoLine l : r.meminfo()) {
                out.printf(Locale.ROOT, "  %-16s %12d %12d %+11d  %s%n", l.field(), l.meminfoKib(), l.classesKib(),
                        l.differenceKib(), l.countedAs());
            }
        }
        Soft s = r.soft();
        out.println();
        out.printf(Locale.ROOT, "  soft (free + clean page cache): %d pages = %.2f MiB, %.1f%% of %.2f MiB of RAM%n",
                s.pages(), s.mib(), 100 * s.fractionOfRam(), MemoryProfile.toMib(r.ramPages()));
        out.printf(Locale.ROOT, "  physical limit: SonicMigration can skip at most %.1f%% of RAM; at least %d pages"
                + " (%.2f MiB) must be sent%n", 100 * s.fractionOfRam(), s.mustSendPages(), s.mustSendMib());
        if (r.profileSavedTo() != null) {
            out.printf(Locale.ROOT, "  profile saved to %s (replay it with 'sonic simulate --profile %s')%n",
                    r.profileSavedTo(), r.profileSavedTo());
        }
    }
}
