package org.sonicmigration.ffi.proof;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One jextract arg file of {@code native-bindings/jextract}, read the way jextract reads it (one option
 * and its value per line, {@code #} starts a comment) plus this project's annotations inside comments:
 * a trailing {@code #: ...} on an include line (the C signature or C type name), {@code #:field S.f SIG}
 * (the C type of a function-pointer field) and {@code #:opaque S} (a struct kept by hand, size only).
 */
record ArgFile(Path path, String targetPackage, String symbolsClass, String headerClass, List<String> libraries,
               String header, List<Include> includes, Map<String, String> fieldSignatures, List<String> opaqueStructs) {

    /** What an include option asks jextract for. */
    enum Kind { FUNCTION, STRUCT, TYPEDEF, CONSTANT, VAR }

    /** One {@code --include-*} option with its optional {@code #:} annotation. */
    record Include(Kind kind, String name, Optional<String> annotation) {}

    private static final Pattern OPTION = Pattern.compile("^(\\S+)(?:\\s+([^#\\s]+))?\\s*(?:#(:)?\\s*(.*))?$");

    /** Every {@code *.args} file in {@code dir}, sorted by name. */
    static List<ArgFile> all(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<ArgFile> result = files.filter(p -> p.getFileName().toString().endsWith(".args")).sorted()
                    .map(ArgFile::read).toList();
            if (result.isEmpty()) {
                throw new IllegalStateException("no *.args files in " + dir);
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jextract directory the build points the tests at. */
    static Path directory() {
        String dir = System.getProperty("sonic.jextract.dir");
        return dir != null ? Path.of(dir) : Path.of("jextract");
    }

    static ArgFile read(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String pkg = null, symbols = null, headerClass = null, header = null;
        List<String> libs = new ArrayList<>();
        List<Include> includes = new ArrayList<>();
        Map<String, String> fields = new LinkedHashMap<>();
        List<String> opaque = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#:field ")) {
                String[] parts = line.split("\\s+", 3);
                fields.put(parts[1], parts[2].strip());
                continue;
            }
            if (line.startsWith("#:opaque ")) {
                opaque.add(line.split("\\s+")[1]);
                continue;
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = OPTION.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException(path + ": cannot read line: " + line);
            }
            String option = m.group(1);
            String value = m.group(2);
            Optional<String> annotation = m.group(3) != null ? Optional.of(m.group(4).strip()) : Optional.empty();
            switch (option) {
                case "--target-package", "-t" -> pkg = value;
                case "--symbols-class-name" -> symbols = value;
                case "--header-class-name" -> headerClass = value;
                case "-l", "--library" -> libs.add(value.startsWith(":") ? value.substring(1) : value);
                case "--include-function" -> includes.add(new Include(Kind.FUNCTION, value, annotation));
                case "--include-struct" -> includes.add(new Include(Kind.STRUCT, value, annotation));
                case "--include-typedef" -> includes.add(new Include(Kind.TYPEDEF, value, annotation));
                case "--include-constant" -> includes.add(new Include(Kind.CONSTANT, value, annotation));
                case "--include-var" -> includes.add(new Include(Kind.VAR, value, annotation));
                default -> {
                    if (option.startsWith("-")) {
                        throw new IllegalArgumentException(path + ": option not understood by the tests: " + option);
                    }
                    if (header != null) {
                        throw new IllegalArgumentException(path + ": more than one header: " + header + ", " + option);
                    }
                    header = option;
                }
            }
        }
        return new ArgFile(path, pkg, symbols, headerClass, List.copyOf(libs), header, List.copyOf(includes),
                Map.copyOf(fields), List.copyOf(opaque));
    }

    List<Include> of(Kind kind) {
        return includes.stream().filter(i -> i.kind() == kind).toList();
    }

    /** The header as the C compiler should include it (relative names live next to the arg files). */
    String includeDirective() {
        Path h = Path.of(header);
        Path resolved = h.isAbsolute() ? h : path.getParent().resolve(h).toAbsolutePath().normalize();
        return "#include \"" + resolved + "\"";
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
