package org.sonicmigration.guest;

/**
 * A guest-side use of the hint area that cannot work: an area too small for its geometry, a set of the
 * wrong size, a section the geometry does not have. Readers never throw it; hostile content is reported
 * as a {@link HintSnapshot.Invalid} or {@link FinalRead.Invalid} instead.
 */
public final class HintAreaException extends RuntimeException {
    public HintAreaException(String message) {
        super(message);
    }
}
