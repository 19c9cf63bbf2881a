package org.sonicmigration.engine;

import org.sonicmigration.spi.VirtualClock;

/** One migration of a {@link ScriptedDomain} into memory: the fake (with what it saw), the decoded stream, the report. */
record ScriptedMigration(GuestScript script, ScriptedDomain domain, RecordedStream stream, MigrationReport report) {

    static ScriptedMigration run(GuestScript script) throws Exception {
        ScriptedDomain d = new ScriptedDomain(script);
        CapturedDestination out = new CapturedDestination(d.events);
        MigrationReport r = new PreCopyEngine(script.options(), new VirtualClock(), MigrationListener.NONE)
                .migrate(d, "scripted", out);
        return new ScriptedMigration(script, d, RecordedStream.decode(out.stream.toByteArray()), r);
    }
}
