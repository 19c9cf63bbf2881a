package org.sonicmigration.stream;

import java.util.OptionalInt;

/**
 * A stream that breaks the migration-stream format: the message names what is wrong and, where known,
 * the byte offset of the offending record or header and the record type.
 */
public class StreamFormatException extends Exception {

    private final long offset;
    private final Integer recordType;

    /** A format error without a known position. */
    public StreamFormatException(String message) {
        this(message, -1, null);
    }

    /**
     * A format error at a known position.
     *
     * @param offset     byte offset in the stream, -1 if unknown
     * @param recordType the record's type, null if not inside a record
     */
    public StreamFormatException(String message, long offset, Integer recordType) {
        super(message);
        this.offset = offset;
        this.recordType = recordType;
    }

    /** Byte offset the message refers to, or -1 if unknown. */
    public long offset() {
        return offset;
    }

    /** Type of the record the error is in, if any. */
    public OptionalInt recordType() {
        return recordType == null ? OptionalInt.empty() : OptionalInt.of(recordType);
    }
}
