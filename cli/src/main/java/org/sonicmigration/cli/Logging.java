package org.sonicmigration.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels for the command line: warnings by default, everything of ours with {@code --debug}. */
final class Logging {
    private Logging() {}

    static void init() {
        root().setLevel(Level.WARN);
    }

    static void debug(boolean on) {
        ((Logger) LoggerFactory.getLogger("org.sonicmigration")).setLevel(on ? Level.DEBUG : null);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
