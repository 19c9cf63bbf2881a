package org.sonicmigration.cli;

import java.util.List;

/**
 * The verdict of comparing the destination with the source at suspend, as the report shows it.
 *
 * @param passed          every compared page and the state matched
 * @param pagesCompared   pages compared
 * @param mismatches      pages that differed
 * @param firstMismatches a few of them, described
 * @param stateEqual      the vCPU/platform state matched
 * @param mode            strict (every page) or soft (hard pages exactly, clean cache against the disk)
 */
record Verification(boolean passed, long pagesCompared, long mismatches, List<String> firstMismatches,
                    boolean stateEqual, String mode) {}
