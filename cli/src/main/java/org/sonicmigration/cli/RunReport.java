package org.sonicmigration.cli;

import java.util.Map;
import org.sonicmigration.engine.MigrationReport;

/**
 * Everything one command run reports: what was asked, what the migration did, and (for simulated
 * runs) whether the destination matched the source. Serialised as-is for {@code --json}.
 */
record RunReport(String command, Map<String, Object> setup, MigrationReport migration, Verification verification) {}
