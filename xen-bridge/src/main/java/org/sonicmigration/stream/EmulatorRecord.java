package org.sonicmigration.stream;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A libxl record that carries a device model's part of an HVM guest, after the libxc stream: its
 * xenstore keys (EMULATOR_XENSTORE_DATA: NUL-terminated key/value pairs, keys relative to the device
 * model's own xenstore directory, e.g. {@code physmap/...}) or its saved state (EMULATOR_CONTEXT: a blob
 * only that emulator reads). Both begin with the emulator's id (libxl's numbering, {@link #QEMU_UPSTREAM}
 * for the QEMU of Xen 4.17) and an index. {@link #decode} is strict, as a receiver must be with a
 * stream's bytes: a malformed body is a {@link StreamFormatException}, never a guess.
 */
public sealed interface EmulatorRecord {
    /** libxl's id of an emulator it does not know. */
    int UNKNOWN = 0;
    /** libxl's id of the old qemu-xen-traditional. */
    int QEMU_TRADITIONAL = 1;
    /** libxl's id of upstream QEMU, the device model of Xen 4.17's HVM guests. */
    int QEMU_UPSTREAM = 2;

    int emulatorId();

    int index();

    /** The libxl record type: {@link RecordTypes#LIBXL_EMULATOR_XENSTORE_DATA} or {@link RecordTypes#LIBXL_EMULATOR_CONTEXT}. */
    int type();

    /** The record's body: the 8-byte emulator header, then the data. */
    default byte[] body() {
        byte[] data = data();
        byte[] b = new byte[8 + data.length];
        Bytes.le32(b, 0, emulatorId());
        Bytes.le32(b, 4, index());
        System.arraycopy(data, 0, b, 8, data.length);
        return b;
    }

    /** What follows the emulator header. */
    byte[] data();

    /** The device model's xenstore keys and values, in the order they are written. */
    record XenstoreData(int emulatorId, int index, Map<String, String> entries) implements EmulatorRecord {
        public XenstoreData {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
            entries.forEach((k, v) -> {
                String why = badKey(k);
                if (why != null) {
                    throw new IllegalArgumentException("xenstore key '" + k + "': " + why);
                }
                if (v.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("xenstore value of '" + k + "' holds a NUL");
                }
            });
        }

        @Override
        public int type() {
            return RecordTypes.LIBXL_EMULATOR_XENSTORE_DATA;
        }

        @Override
        public byte[] data() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            entries.forEach((k, v) -> {
                out.writeBytes(k.getBytes(StandardCharsets.US_ASCII));
                out.write(0);
                out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
                out.write(0);
            });
            return out.toByteArray();
        }
    }

    /** The device model's saved state, as its save command wrote it. */
    record Context(int emulatorId, int index, byte[] data) implements EmulatorRecord {
        public Context {
            data = data.clone();
        }

        @Override
        public int type() {
            return RecordTypes.LIBXL_EMULATOR_CONTEXT;
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }

    /**
     * Reads the body of an emulator record of {@code type}.
     *
     * @throws StreamFormatException the body is shorter than its header, or its key/value data is not a
     *                               whole sequence of NUL-terminated pairs with keys xenstore accepts
     */
    static EmulatorRecord decode(int type, byte[] body) throws StreamFormatException {
        if (body.length < 8) {
            throw new StreamFormatException("emulator record body of " + body.length + " bytes is shorter than its 8-byte header");
        }
        int id = Bytes.le32(body, 0);
        int index = Bytes.le32(body, 4);
        if (type == RecordTypes.LIBXL_EMULATOR_CONTEXT) {
            byte[] data = new byte[body.length - 8];
            System.arraycopy(body, 8, data, 0, data.length);
            return new Context(id, index, data);
        }
        if (type != RecordTypes.LIBXL_EMULATOR_XENSTORE_DATA) {
            throw new IllegalArgumentException("record type 0x" + Integer.toHexString(type) + " is not an emulator record");
        }
        Map<String, String> entries = new LinkedHashMap<>();
        int at = 8;
        while (at < body.length) {
            int keyEnd = nul(body, at, "key");
            int valueEnd = nul(body, keyEnd + 1, "value");
            String key = new String(body, at, keyEnd - at, StandardCharsets.US_ASCII);
            String why = badKey(key);
            if (why != null) {
                throw new StreamFormatException("EMULATOR_XENSTORE_DATA key at body offset " + at + ": " + why);
            }
            if (entries.put(key, new String(body, keyEnd + 1, valueEnd - keyEnd - 1, StandardCharsets.UTF_8)) != null) {
                throw new StreamFormatException("EMULATOR_XENSTORE_DATA names key '" + key + "' twice");
            }
            at = valueEnd + 1;
        }
        return new XenstoreData(id, index, entries);
    }

    private static int nul(byte[] body, int from, String what) throws StreamFormatException {
        for (int i = from; i < body.length; i++) {
            if (body[i] == 0) {
                return i;
            }
        }
        throw new StreamFormatException("EMULATOR_XENSTORE_DATA ends inside a " + what + " (no terminating NUL after body offset " + from + ")");
    }

    /** Why xenstore would refuse {@code key} as a relative path, or null if it is fine. */
    private static String badKey(String key) {
        if (key.isEmpty()) {
            return "empty";
        }
        if (key.startsWith("/")) {
            return "absolute (keys are relative to the device model's directory)";
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || "-/_@".indexOf(c) >= 0))) {
                return "character '" + c + "' is not one of xenstore's (letters, digits, -/_@)";
            }
        }
        return key.contains("//") || key.endsWith("/") ? "an empty path component" : null;
    }
}
