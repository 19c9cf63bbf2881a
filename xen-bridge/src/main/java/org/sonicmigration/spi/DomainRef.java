package org.sonicmigration.spi;

/** How a user names a domain: by numeric id or by name. */
public sealed interface DomainRef {

    record ById(int domid) implements DomainRef {
        public ById {
            if (domid < 0) {
                throw new IllegalArgumentException("domain id must be >= 0, got " + domid);
            }
        }

        @Override
        public String toString() {
            return Integer.toString(domid);
        }
    }

    record ByName(String name) implements DomainRef {
        public ByName {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("domain name must not be empty");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A string of digits is an id, anything else a name. */
    static DomainRef parse(String text) {
        if (text != null && !text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            try {
                return new ById(Integer.parseInt(text));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("domain id out of range: " + text, e);
            }
        }
        return new ByName(text);
    }
}
