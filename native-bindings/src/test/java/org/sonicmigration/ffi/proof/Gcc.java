package org.sonicmigration.ffi.proof;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code gcc -std=gnu11 -fsyntax-only} on a C file (the Xen headers need GNU C) and reports its
 * verdict. Fails loudly, naming the packages, when gcc or the Xen headers are not installed: a proof
 * that quietly skips would prove nothing.
 */
final class Gcc {

    /** gcc's exit status and everything it printed. */
    record Verdict(int exitCode, String diagnostics) {
        boolean accepted() {
            return exitCode == 0;
        }
    }

    private Gcc() {}

    static void requireToolchain() {
        if (!Files.isReadable(Path.of("/usr/include/xenctrl.h")) || !Files.isReadable(Path.of("/usr/include/libxl.h"))) {
            throw new AssertionError("Xen 4.17 headers missing (/usr/include/xenctrl.h): apt-get install libxen-dev");
        }
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new AssertionError("gcc --version failed: apt-get install gcc");
            }
        } catch (IOException e) {
            throw new AssertionError("gcc not found: apt-get install gcc", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Verdict syntaxCheck(String source, Path workDir) {
        try {
            Path file = Files.createTempFile(workDir, "layout-proof", ".c");
            Files.writeString(file, source, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(List.of("gcc", "-std=gnu11", "-fsyntax-only", "-fmax-errors=50", file.toString()))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("gcc did not finish on " + file);
            }
            return new Verdict(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
