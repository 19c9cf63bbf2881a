package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;
import org.sonicmigration.ffi.xentoollog_h;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

/**
 * The SLF4J logger seen from C: messages are sent through libxentoollog's own {@code xtl_log} (which
 * builds a real {@code va_list} and calls the vmessage upcall) and {@code xtl_progress}, and must arrive
 * formatted, at the mapped level, under the context's logger name.
 */
class ToolLoggerTest {

    private static void xtlLog(ToolLogger logger, int level, int errnoval, String context, String format, int number, String text) {
        try (Arena arena = Arena.ofConfined()) {
            xentoollog_h.xtl_log.makeInvoker(xentoollog_h.C_INT, xentoollog_h.C_POINTER)
                    .apply(logger.segment(), level, errnoval, arena.allocateFrom(context), arena.allocateFrom(format),
                            number, arena.allocateFrom(text));
        }
    }

    @Test
    void aPrintfStyleMessageArrivesFormattedWithItsErrnoText() {
        try (ToolLogger logger = ToolLogger.create(); CapturedLogs logs = new CapturedLogs()) {
            xtlLog(logger, xentoollog_h.XTL_ERROR(), 2, "xc", "mapped %d frames of %s", 42, "domain 7");
            ILoggingEvent e = logs.single();
            assertThat(e.getLoggerName()).isEqualTo("org.sonicmigration.xen.native.xc");
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).isEqualTo("mapped 42 frames of domain 7: No such file or directory");
        }
    }

    @Test
    void anyIntegerAndStringSurviveTheVaListRoundTrip() {
        qt().withExamples(200).forAll(integers().all(), strings().betweenCodePoints(' ', '~').ofLengthBetween(0, 300))
                .checkAssert(ToolLoggerTest::anyIntegerAndStringSurviveTheVaListRoundTrip);
    }

    private static void anyIntegerAndStringSurviveTheVaListRoundTrip(int number, String text) {
        try (ToolLogger logger = ToolLogger.create(); CapturedLogs logs = new CapturedLogs()) {
            xtlLog(logger, xentoollog_h.XTL_INFO(), -1, "xenforeignmemory", "%d|%s", number, text);
            ILoggingEvent e = logs.single();
            assertThat(e.getFormattedMessage()).isEqualTo(number + "|" + text);
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
        }
    }

    @Test
    void aMessageLongerThanTheBufferIsCutNotOverrun() {
        try (ToolLogger logger = ToolLogger.create(); CapturedLogs logs = new CapturedLogs()) {
            String big = "x".repeat(5000);
            xtlLog(logger, xentoollog_h.XTL_WARN(), -1, "xc", "%d %s", 1, big);
            String msg = logs.single().getFormattedMessage();
            assertThat(msg).startsWith("1 xxx").endsWith("...");
            assertThat(msg).hasSize(ToolLogger.MESSAGE_BYTES - 1 + 3);
        }
    }

    @Test
    void progressReportsArriveAtDebugWithTheirPercentage() {
        try (ToolLogger logger = ToolLogger.create(); CapturedLogs logs = new CapturedLogs(); Arena arena = Arena.ofConfined()) {
            xentoollog_h.xtl_progress(logger.segment(), arena.allocateFrom("xc"), arena.allocateFrom("Frames"), 50, 200);
            ILoggingEvent e = logs.single();
            assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(e.getFormattedMessage()).isEqualTo("Frames: 25% (50 of 200)");
        }
    }

    @Test
    void insideDemotedErrorsArriveAsDebug() {
        try (ToolLogger logger = ToolLogger.create(); CapturedLogs logs = new CapturedLogs()) {
            logger.demoted(() -> {
                xtlLog(logger, xentoollog_h.XTL_CRITICAL(), -1, "xencall", "no %s (%d)", 0, "privcmd");
                return null;
            });
            assertThat(logs.single().getLevel()).isEqualTo(Level.DEBUG);
            logs.clear();
            xtlLog(logger, xentoollog_h.XTL_CRITICAL(), -1, "xencall", "no %s (%d)", 0, "privcmd");
            assertThat(logs.single().getLevel()).isEqualTo(Level.ERROR);
        }
    }

    @Test
    void destroyingTheLoggerFromCCallsTheDestroyUpcall() {
        try (ToolLogger logger = ToolLogger.create()) {
            xentoollog_h.xtl_logger_destroy(logger.segment());
            assertThat(logger.destroyCalls()).isEqualTo(1);
        }
    }

    @Test
    void xentoollogLevelsMapOntoSlf4jLevels() {
        assertThat(ToolLogger.level(xentoollog_h.XTL_DEBUG())).isEqualTo(org.slf4j.event.Level.TRACE);
        assertThat(ToolLogger.level(xentoollog_h.XTL_VERBOSE())).isEqualTo(org.slf4j.event.Level.DEBUG);
        assertThat(ToolLogger.level(xentoollog_h.XTL_DETAIL())).isEqualTo(org.slf4j.event.Level.DEBUG);
        assertThat(ToolLogger.level(xentoollog_h.XTL_PROGRESS())).isEqualTo(org.slf4j.event.Level.INFO);
        assertThat(ToolLogger.level(xentoollog_h.XTL_NOTICE())).isEqualTo(org.slf4j.event.Level.INFO);
        assertThat(ToolLogger.level(xentoollog_h.XTL_WARN())).isEqualTo(org.slf4j.event.Level.WARN);
        assertThat(ToolLogger.level(xentoollog_h.XTL_ERROR())).isEqualTo(org.slf4j.event.Level.ERROR);
        assertThat(ToolLogger.level(xentoollog_h.XTL_CRITICAL())).isEqualTo(org.slf4j.event.Level.ERROR);
    }

    @Test
    void theStructLivesAsLongAsTheLogger() {
        ToolLogger logger = ToolLogger.create();
        MemorySegment s = logger.segment();
        assertThat(s.scope().isAlive()).isTrue();
        logger.close();
        assertThat(s.scope().isAlive()).isFalse();
    }
}
