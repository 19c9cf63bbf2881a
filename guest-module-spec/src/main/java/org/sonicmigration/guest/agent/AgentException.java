package org.sonicmigration.guest.agent;

/**
 * The reference agent cannot read the kernel's page files, or what it read makes no sense. The message is
 * one line that names the file; {@link #kind()} tells a command line which advice to give (for
 * {@link Kind#NEEDS_ROOT}: run as root).
 */
public final class AgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, coarsely. */
    public enum Kind {
        /** A root-only file ({@code /proc/kpageflags}, {@code /proc/kpagecount}) was opened without root. */
        NEEDS_ROOT,
        /** A file does not exist. */
        MISSING,
        /** A file's content is not what it should be (length, compression, format). */
        MALFORMED,
        /** Any other I/O failure. */
        IO
    }

    private final Kind kind;

    public AgentException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public AgentException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
