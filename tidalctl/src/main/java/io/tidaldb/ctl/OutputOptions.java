package io.tidaldb.ctl;

import picocli.CommandLine.Option;

/** The output options every command shares. */
final class OutputOptions {

  /** How a report is printed. */
  enum Format {
    /** One JSON document (or one per line, for streams): for programs. */
    json,
    /** Aligned key and value columns: for people. */
    text
  }

  @Option(names = "--format", paramLabel = "json|text", defaultValue = "json",
      description = "Output format: json (default) or text (aligned, for people).")
  Format format = Format.json;

  @Option(names = "--pretty", description = "Indent JSON output (default: compact).")
  boolean pretty;
}
