package org.sonicmigration.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The indented JSON mapper of the documents the commands print or write (reports, plans, benchmarks).
 * It lives in its own class so that it is built on first use: a mapper costs a JVM a large share of its
 * start (about a tenth of a second here, seconds in an emulated dom0), and every command would pay it
 * if it sat in an option class that picocli instantiates for each subcommand.
 */
final class PrettyJson {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PrettyJson() {
    }
}
