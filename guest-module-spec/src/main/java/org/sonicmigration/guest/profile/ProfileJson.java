package org.sonicmigration.guest.profile;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link MemoryProfile} as a compact JSON document, so a real machine's page-class layout can be saved by
 * {@code sonic hints scan --profile} and replayed by the simulator. The classes are run-length encoded:
 * <pre>
 * {"format":"sonic-memory-profile","version":1,"source":"/proc/kpageflags","pageSize":4096,"pfnCount":524288,
 *  "totals":{"HOLE":0,"FREE":19255,...},
 *  "runs":[[0,256,"RESERVED"],
 *  [256,12,"FREE"], ...]}
 * </pre>
 * Each run is {@code [start, length, CLASS]} with a {@link PageClass} name; runs are sorted, contiguous and
 * cover {@code [0, pfnCount)} exactly; totals must equal what the runs add up to.
 *
 * <p>Reading treats the document as untrusted: it is streamed (never built into a tree), {@code pfnCount} must
 * precede {@code runs} and stay within the caller's bound, memory grows only with the frames the runs
 * actually cover, and every violation is a {@link ProfileFormatException} with a one-line message.
 */
public final class ProfileJson {

    /** The value of the {@code format} field. */
    public static final String FORMAT = "sonic-memory-profile";
    /** The only version this codec reads and writes. */
    public static final int VERSION = 1;
    /** Longest {@code source} accepted. */
    public static final int MAX_SOURCE_CHARS = 1024;

    private static final int PAGE_SIZE = 4096;
    private static final PageClass[] CLASSES = PageClass.values();
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(4 * MAX_SOURCE_CHARS)
                    .maxNestingDepth(8).maxNumberLength(24).build())
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private ProfileJson() {
    }

    /** Writes {@code profile} to {@code out} (left open). */
    public static void write(MemoryProfile profile, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeNumberField("version", VERSION);
            String source = profile.source();
            g.writeStringField("source", source.length() > MAX_SOURCE_CHARS ? source.substring(0, MAX_SOURCE_CHARS) : source);
            g.writeNumberField("pageSize", PAGE_SIZE);
            g.writeNumberField("pfnCount", profile.pfnCount());
            g.writeObjectFieldStart("totals");
            for (PageClass c : CLASSES) {
                g.writeNumberField(c.name(), profile.pages(c));
            }
            g.writeEndObject();
            g.writeArrayFieldStart("runs");
            for (PfnRun r : profile.runs()) {
                // one run per line: still compact, and readable with head/grep (class names need no escaping)
                g.writeRawValue("\n[" + r.start() + "," + r.length() + ",\"" + r.pageClass().name() + "\"]");
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    /** Writes {@code profile} to {@code file} (created or replaced). */
    public static void write(MemoryProfile profile, Path file) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            write(profile, out);
        }
    }

    /** The JSON of {@code profile} as a string (small profiles, tests). */
    public static String toJson(MemoryProfile profile) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            write(profile, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Reads a profile file of at most {@code maxPfns} frames.
     *
     * @throws ProfileFormatException if the file is missing, unreadable or not a valid profile (the message
     *                                starts with the file name)
     */
    public static MemoryProfile read(Path file, long maxPfns) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), maxPfns);
        } catch (NoSuchFileException e) {
            throw new ProfileFormatException("no such profile file: " + file, e);
        } catch (IOException e) {
            throw new ProfileFormatException("cannot read profile " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a profile from a JSON string (names it {@code json} in messages). */
    public static MemoryProfile fromJson(String json, long maxPfns) {
        try {
            return read(new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    "json", maxPfns);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Reads a profile of at most {@code maxPfns} frames (1 .. {@link MemoryProfile#MAX_PFNS}) from {@code in};
     * {@code name} prefixes every error message.
     */
    public static MemoryProfile read(InputStream in, String name, long maxPfns) throws IOException {
        if (maxPfns < 1 || maxPfns > MemoryProfile.MAX_PFNS) {
            throw new IllegalArgumentException("frame bound must be 1.." + MemoryProfile.MAX_PFNS + ", got " + maxPfns);
        }
        try (JsonParser p = FACTORY.createParser(in)) {
            return new Reader(p, name, maxPfns).document();
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
            throw new ProfileFormatException(name + ": not valid JSON" + where + ": " + msg.lines().findFirst().orElse(msg), e);
        } catch (CharConversionException e) {
            // Jackson guesses the encoding from the first bytes; text that breaks it is bad content, not bad I/O.
            throw new ProfileFormatException(name + ": not valid JSON text: " + e.getMessage(), e);
        }
    }

    /** One pass over the token stream, checking as it goes. */
    private static final class Reader {
        private final JsonParser p;
        private final String name;
        private final long maxPfns;
        private final Set<String> seen = new HashSet<>();
        private String source;
        private long pfnCount = -1;
        private Map<PageClass, Long> totals;
        private byte[] classes;
        private long covered = -1;

        Reader(JsonParser p, String name, long maxPfns) {
            this.p = p;
            this.name = name;
            this.maxPfns = maxPfns;
        }

        MemoryProfile document() throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw fail("a profile is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (!seen.add(field)) {
                    throw fail("field '" + field + "' appears twice");
                }
                p.nextToken();
                switch (field) {
                    case "format" -> {
                        if (!FORMAT.equals(string(field, 64))) {
                            throw fail("format is not '" + FORMAT + "'");
                        }
                    }
                    case "version" -> {
                        long v = number(field);
                        if (v != VERSION) {
                            throw fail("version " + v + " is not supported (this reader knows " + VERSION + ")");
                        }
                    }
                    case "source" -> source = string(field, MAX_SOURCE_CHARS);
                    case "pageSize" -> {
                        long v = number(field);
                        if (v != PAGE_SIZE) {
                            throw fail("pageSize " + v + " is not " + PAGE_SIZE);
                        }
                    }
                    case "pfnCount" -> {
                        pfnCount = number(field);
                        if (pfnCount < 1 || pfnCount > maxPfns) {
                            throw fail("pfnCount " + pfnCount + " is outside 1.." + maxPfns);
                        }
                    }
                    case "totals" -> totals = totals();
                    case "runs" -> runs();
                    default -> throw fail("unknown field '" + field + "'");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw fail("unexpected " + p.currentToken());
            }
            if (p.nextToken() != null) {
                throw fail("content after the profile object");
            }
            for (String required : List.of("format", "version", "pageSize", "pfnCount", "totals", "runs")) {
                if (!seen.contains(required)) {
                    throw fail("field '" + required + "' is missing");
                }
            }
            if (covered != pfnCount) {
                throw fail("runs cover frames 0.." + covered + " but pfnCount is " + pfnCount);
            }
            byte[] exact = classes.length == pfnCount ? classes : Arrays.copyOf(classes, (int) pfnCount);
            MemoryProfile profile = MemoryProfile.ofOrdinals(exact, source == null ? name : source);
            for (PageClass c : CLASSES) {
                if (profile.pages(c) != totals.get(c)) {
                    throw fail("totals say " + totals.get(c) + " " + c.name() + " frames, the runs hold " + profile.pages(c));
                }
            }
            return profile;
        }

        private Map<PageClass, Long> totals() throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw fail("totals must be an object of class name to frame count");
            }
            EnumMap<PageClass, Long> m = new EnumMap<>(PageClass.class);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                PageClass c = pageClass(key);
                if (m.containsKey(c)) {
                    throw fail("totals name " + key + " twice");
                }
                p.nextToken();
                long v = number("totals." + key);
                if (v < 0) {
                    throw fail("totals." + key + " is negative");
                }
                m.put(c, v);
            }
            for (PageClass c : CLASSES) {
                if (!m.containsKey(c)) {
                    throw fail("totals lack class " + c.name());
                }
            }
            return m;
        }

        private void runs() throws IOException {
            if (pfnCount < 0) {
                throw fail("pfnCount must come before runs");
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw fail("runs must be an array of [start, length, class]");
            }
            classes = new byte[(int) Math.min(pfnCount, 1 << 16)];
            covered = 0;
            long index = 0;
            while (p.nextToken() == JsonToken.START_ARRAY) {
                String what = "run " + index;
                p.nextToken();
                long start = number(what + " start");
                p.nextToken();
                long length = number(what + " length");
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw fail(what + ": the third element must be a class name");
                }
                PageClass c = pageClass(p.getText());
                if (p.nextToken() != JsonToken.END_ARRAY) {
                    throw fail(what + " has more than three elements");
                }
                if (start != covered) {
                    throw fail(what + " starts at " + start + ", expected " + covered
                            + " (runs must be sorted and contiguous, without gaps or overlaps)");
                }
                if (length < 1 || length > pfnCount - start) {
                    throw fail(what + " [" + start + ", +" + length + ") does not fit 1 frame .. pfnCount " + pfnCount);
                }
                long end = start + length;
                if (end > classes.length) {
                    classes = Arrays.copyOf(classes, (int) Math.min(pfnCount, Math.max(end, 2L * classes.length)));
                }
                Arrays.fill(classes, (int) start, (int) end, (byte) c.ordinal());
                covered = end;
                index++;
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw fail("runs must hold only [start, length, class] arrays");
            }
        }

        private PageClass pageClass(String s) {
            for (PageClass c : CLASSES) {
                if (c.name().equals(s)) {
                    return c;
                }
            }
            throw fail("unknown page class '" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'");
        }

        private long number(String what) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw fail(what + " must be an integer");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw fail(what + " is too large");
            }
            return p.getLongValue();
        }

        private String string(String what, int max) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw fail(what + " must be a string");
            }
            String s = p.getText();
            if (s.length() > max) {
                throw fail(what + " is longer than " + max + " characters");
            }
            return s;
        }

        private ProfileFormatException fail(String message) {
            JsonLocation at = p.currentLocation();
            // Field names and values in the message come from the file: a line break there must not
            // break the one-line error.
            String oneLine = message.replaceAll("[\\p{Cc}\u2028\u2029]", "?");
            return new ProfileFormatException(name + ": " + oneLine + " (line " + at.getLineNr() + ")");
        }
    }
}
