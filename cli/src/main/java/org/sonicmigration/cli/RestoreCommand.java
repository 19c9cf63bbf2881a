package org.sonicmigration.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.receiver.ReceiveException;
import org.sonicmigration.receiver.ReceiveResult;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.receiver.StreamCheck;
import org.sonicmigration.stream.Framing;
import org.sonicmigration.stream.StreamFormatException;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.stream.StreamReader;
import org.sonicmigration.stream.StreamSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sonic restore FILE}: builds a domain from a stream file (ours or one written by
 * {@code xl save}), or with {@code --dry-run} only parses and checks it and shows what it holds.
 */
@Command(name = "restore", footer = {"", "Examples:", "  sonic restore --dry-run guest.xlsave", "  sonic restore --backend sim guest.xlsave"},
        mixinStandardHelpOptions = true, description = "Restore a domain from a stream file (xl save format), or check it with --dry-run.")
final class RestoreCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Stream file (xl, libxl or bare libxc framing).")
    Path file;

    @Option(names = "--dry-run", description = "Only parse and check the stream as a restore would; build nothing.")
    boolean dryRun;

    @Option(names = "--name", description = "Name for the restored domain (default: the one in the stream).")
    String name;

    @Mixin
    BackendOption backend;

    @Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (InputStream raw = Files.newInputStream(file);
             BufferedInputStream in = new BufferedInputStream(raw, 1 << 20)) {
            Framing framing = StreamReader.detect(in);
            if (dryRun) {
                // The receiver's own checks against a target that stores nothing: a dry run refuses what a
                // restore refuses, with the same message.
                StreamSummary summary = new StreamSummary();
                StreamCheck.check(in, framing, StreamLimits.defaults(), summary);
                print(out, summaryMap(framing, summary), summary.toString());
                return 0;
            }
            Backend b = backend.select();
            try (Hypervisor hv = b.open()) {
                ReceiveResult r = new Receiver(hv, StreamLimits.defaults(), name).receive(in, framing);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", file.toString());
                m.put("backend", b.name());
                m.put("domain", r.domain().info().name());
                m.put("domid", r.domain().info().domid());
                m.put("pagesWithData", r.pagesWithData());
                m.put("pagesAllocated", r.pagesAllocated());
                m.put("holes", r.holes());
                m.put("bytes", r.bytes());
                print(out, m, String.format("restored %s into %s domain %s (id %d): %d pages with data, %d allocated"
                                + " without data, %d holes, %s read%n", file, b.name(), r.domain().info().name(),
                        r.domain().info().domid(), r.pagesWithData(), r.pagesAllocated(), r.holes(),
                        Sizes.format(r.bytes())));
                r.domain().close();
                return 0;
            }
        } catch (NoSuchFileException e) {
            throw new Errors.UserException("no such file: " + file);
        } catch (StreamFormatException e) {
            throw new Errors.UserException(file + ": not a valid stream: " + e.getMessage(), ExitCode.VERIFICATION_FAILED, e);
        } catch (ReceiveException e) {
            // A dry run checks only the stream, so its refusal is a failed stream check; a restore's may be
            // the backend's (a name taken, no room).
            throw new Errors.UserException(file + ": cannot restore: " + e.getMessage(),
                    dryRun ? ExitCode.VERIFICATION_FAILED : ExitCode.FAILED, e);
        } catch (IOException e) {
            throw new Errors.UserException(file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> summaryMap(Framing framing, StreamSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("framing", framing.name());
        m.put("complete", s.complete());
        s.domain().ifPresent(d -> m.put("domainType", d.type()));
        s.domain().ifPresent(d -> m.put("xenVersion", d.xenMajor() + "." + d.xenMinor()));
        m.put("records", s.records());
        m.put("pageTypes", s.pageTypeCounts());
        m.put("pagesWithData", s.pagesWithData());
        s.pfnRange().ifPresent(r -> m.put("pfnRange", r));
        return m;
    }

    private void print(PrintWriter out, Map<String, Object> asJson, String asText) throws IOException {
        if (output.json) {
            out.println(PrettyJson.MAPPER.writeValueAsString(asJson));
        } else if (!output.quiet) {
            out.print(asText);
        }
        out.flush();
    }
}
