package org.sonicmigration.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Compiles and runs the C side of the conformance tests with the system's gcc. */
final class Gcc {

    static final Path MODULE = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    static final Path INCLUDE = MODULE.resolve("include");
    static final Path C_SOURCES = MODULE.resolve("src/test/c");
    static final Path OUT = MODULE.resolve("target/c-conformance");

    /** A finished process. */
    record Result(int exitCode, String stdout, String stderr) {
    }

    private Gcc() {
    }

    /** Builds {@code src/test/c/<name>.c} into {@code target/c-conformance/<name>} (once per run). */
    static synchronized Path program(String name) throws IOException, InterruptedException {
        Path exe = OUT.resolve(name);
        Path src = C_SOURCES.resolve(name + ".c");
        if (Files.exists(exe) && Files.getLastModifiedTime(exe).compareTo(Files.getLastModifiedTime(src)) > 0
                && Files.getLastModifiedTime(exe).compareTo(Files.getLastModifiedTime(INCLUDE.resolve("sonic_hint.h"))) > 0) {
            return exe;
        }
        Files.createDirectories(OUT);
        Result r = run(List.of("gcc", "-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-O2",
                "-I" + INCLUDE, src.toString(), "-o", exe.toString()));
        if (r.exitCode() != 0) {
            throw new AssertionError("gcc failed on " + src + ":\n" + r.stderr());
        }
        return exe;
    }

    /** Compiles {@code source} (a translation unit including sonic_hint.h) without linking. */
    static Result syntaxCheck(String fileName, String source) throws IOException, InterruptedException {
        Files.createDirectories(OUT);
        Path file = OUT.resolve(fileName);
        Files.writeString(file, source);
        return run(List.of("gcc", "-std=c11", "-Wall", "-Werror", "-fsyntax-only", "-I" + INCLUDE, file.toString()));
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        Files.createDirectories(OUT);
        Path out = Files.createTempFile(OUT, "out", ".txt");
        Path err = Files.createTempFile(OUT, "err", ".txt");
        try {
            Process p;
            try {
                p = new ProcessBuilder(new ArrayList<>(command)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("cannot run " + command.getFirst() + " (install gcc: apt-get install -y gcc): " + e.getMessage(), e);
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
