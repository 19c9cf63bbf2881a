package org.sonicmigration.guest.profile;

/** A memory profile file is missing, unreadable, truncated or inconsistent; the message names the file. */
public class ProfileFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProfileFormatException(String message) {
        super(message);
    }

    public ProfileFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
