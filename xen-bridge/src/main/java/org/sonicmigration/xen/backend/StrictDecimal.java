package org.sonicmigration.xen.backend;

/**
 * Reads a number a guest wrote into xenstore, accepting only the canonical form its kernel writes with
 * {@code %u}: ASCII digits, no sign, no white space, no leading zero, within given bounds. Refusals say
 * which rule the text broke; nothing here throws on any input.
 */
final class StrictDecimal {

    /** The outcome of reading one number. */
    sealed interface Result permits Value, Refused {}

    /** A number within the bounds. */
    record Value(long value) implements Result {}

    /** Not accepted, and why, as the end of a sentence ("is above 16384"). */
    record Refused(String why) implements Result {}

    private StrictDecimal() {}

    /** Reads {@code text} as a number in {@code [min, max]} ({@code 0 <= min <= max}). */
    static Result parse(String text, long min, long max) {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("bounds " + min + ".." + max);
        }
        if (text.isEmpty()) {
            return new Refused("is empty");
        }
        char first = text.charAt(0);
        if (first == '+' || first == '-') {
            return new Refused("has a sign");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return new Refused(Character.isWhitespace(c) ? "has white space" : "is not a decimal number");
            }
        }
        if (first == '0' && text.length() > 1) {
            return new Refused("has a leading zero");
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = text.charAt(i) - '0';
            // value * 10 + digit > max, without computing it: no overflow however long the text
            if (value > (max - digit) / 10) {
                return new Refused("is above " + max);
            }
            value = value * 10 + digit;
        }
        if (value < min) {
            return new Refused("is below " + min);
        }
        return new Value(value);
    }
}
