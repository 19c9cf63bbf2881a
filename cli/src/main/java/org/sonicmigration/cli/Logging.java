package org.sonicmigration.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

/**
 * Log levels for the command line: warnings by default, everything of ours with {@code --debug}, each
 * line of it then stamped with the milliseconds since the process started logging, so that a slow
 * phase (a JVM starting under an emulated CPU, a receiver slow to answer) shows where it is.
 */
final class Logging {
    private static final String DEBUG_PATTERN = "sonic: %6relative ms %-5level %logger{0}: %msg%n";

    private Logging() {}

    static void init() {
        root().setLevel(Level.WARN);
    }

    static void debug(boolean on) {
        ((Logger) LoggerFactory.getLogger("org.sonicmigration")).setLevel(on ? Level.DEBUG : null);
        if (on && root().getAppender(LogConfigurator.APPENDER) instanceof OutputStreamAppender<ILoggingEvent> err) {
            PatternLayoutEncoder stamped = new PatternLayoutEncoder();
            stamped.setContext(root().getLoggerContext());
            stamped.setPattern(DEBUG_PATTERN);
            stamped.start();
            err.setEncoder(stamped);
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
