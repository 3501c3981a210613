package io.tidaldb.ctl;

import com.fasterxml.jackson.core.JsonGenerator;
import io.tidaldb.CorruptionException;
import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import io.tidaldb.TidalHome;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.inspect.StoredSchema;
import io.tidaldb.wal.ScanResult;
import io.tidaldb.wal.WalBatch;
import io.tidaldb.wal.WalEvent;
import io.tidaldb.wal.WalProblem;
import io.tidaldb.wal.WalReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code tidalctl wal dump --path <dir>}: the log's events as JSON lines (one object per line), in
 * sequence order, or its batches with {@code --batches} (with each batch's format version and
 * durable mark). Each event carries its signal's name from the home's stored schema ({@code null}
 * when the home has none). It streams: a log of any size needs little memory. A problem that stops
 * the dump is reported on stderr when the events before it are out. Logs of every format version are
 * read.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Prints the WAL's events as JSON lines (seq, entity_id, signal_type_id, signal, weight, timestamp), "
        + "or its batches (segment, offset, sequence range, format version, durable mark) with --batches. The signal's"
        + " name comes from the home's SCHEMA.")
final class WalDumpCommand extends HomeCommand {

  @Option(names = "--from", paramLabel = "<seq>", defaultValue = "1", description = "First sequence to print (default: 1).")
  long from;

  @Option(names = "--to", paramLabel = "<seq>", description = "Last sequence to print, inclusive (default: the end).")
  long to = Long.MAX_VALUE;

  @Option(names = "--limit", paramLabel = "<n>", description = "Print at most n events (or batches).")
  long limit = Long.MAX_VALUE;

  @Option(names = "--batches", description = "Print one line per batch (its segment, offset, sequence range, format "
      + "version and durable_seq: the last sequence fsynced when it was written, null in version 1) instead of events.")
  boolean batches;

  /** Thrown by the printer to stop the read once {@code --limit} lines are out. */
  private static final class LimitReached extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LimitReached() {
      super(null, null, false, false);
    }
  }

  @Override
  public Integer call() {
    if (from < 1 || to < from || limit < 0) {
      throw new ParameterException(spec.commandLine(), "need 1 <= --from <= --to and --limit >= 0 (got --from "
          + from + ", --to " + (to == Long.MAX_VALUE ? "end" : to) + ", --limit " + limit + ")");
    }
    TidalHome home = homeOption.existingHome();
    Output output = output();
    Map<Integer, String> names = batches ? Map.of() : signalNames(home);
    Printer printer = outputOptions.format == OutputOptions.Format.text
        ? new TextPrinter(output.out(), names) : new JsonPrinter(output, names);
    ScanResult result;
    try {
      WalReader reader = WalReader.of(home.wal());
      result = batches
          ? reader.scan(from, to, printer::batch)
          : reader.events(from, to, printer::event);
    } catch (LimitReached stop) {
      printer.finish();
      return ExitCodes.OK;
    }
    printer.finish();
    if (result.problem().isEmpty()) {
      return ExitCodes.OK;
    }
    WalProblem problem = result.problem().get();
    int exitCode = Problems.exitCode(problem);
    String message = Problems.kind(problem) + " in " + problem.file() + " at offset " + problem.offset() + ": " + problem.detail();
    if (exitCode == ExitCodes.OK) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(outputOptions.format == OutputOptions.Format.text ? "warning: " + message
          : Output.json(Problems.json(problem).put("warning", Problems.kind(problem)), false));
      err.flush();
      return exitCode;
    }
    throw new CliFailure(exitCode, Problems.kind(problem), message, problem.file());
  }

  /**
   * The names of the home's signals by id, from its stored schema: empty when it has none. A damaged
   * schema does not stop the dump (the log is what it prints): it is a warning, and the names are null.
   */
  private Map<Integer, String> signalNames(TidalHome home) {
    Map<Integer, String> names = new HashMap<>();
    try {
      StoredSchema.read(home).ifPresent(schema -> {
        for (SignalSpec signal : schema.signals()) {
          names.put(signal.id(), signal.name());
        }
      });
    } catch (CorruptionException | UnsupportedFormatException e) {
      PrintWriter err = spec.commandLine().getErr();
      String message = "cannot read the signal names from " + home.schemaFile() + ": " + e.getMessage();
      err.println(outputOptions.format == OutputOptions.Format.text ? "warning: " + message
          : Output.json(Output.object().put("warning", "schema_unreadable").put("file", home.schemaFile().toString())
              .put("detail", e.getMessage()), false));
      err.flush();
    }
    return names;
  }

  private abstract class Printer {
    private long printed;

    final void event(long seq, long entityId, int signalTypeId, float weight, long timestampNanos) {
      count();
      if (WalEvent.isSourcePosition(signalTypeId)) {
        printPosition(seq, entityId);   // a marker, not a signal: its entity-id field holds the position (FORMAT.md)
      } else {
        printEvent(seq, entityId, signalTypeId, weight, timestampNanos);
      }
    }

    final void batch(WalBatch batch) {
      count();
      printBatch(batch);
    }

    private void count() {
      if (printed++ == limit) {
        throw new LimitReached();
      }
    }

    abstract void printEvent(long seq, long entityId, int signalTypeId, float weight, long timestampNanos);

    abstract void printPosition(long seq, long position);

    abstract void printBatch(WalBatch batch);

    abstract void finish();
  }

  private final class JsonPrinter extends Printer {
    private final JsonGenerator json;
    private final Map<Integer, String> names;

    JsonPrinter(Output output, Map<Integer, String> names) {
      this.json = output.jsonLines();
      this.names = names;
    }

    @Override
    void printEvent(long seq, long entityId, int signalTypeId, float weight, long timestampNanos) {
      try {
        json.writeStartObject();
        json.writeNumberField("seq", seq);
        json.writeNumberField("entity_id", entityId);
        json.writeNumberField("signal_type_id", signalTypeId);
        json.writeStringField("signal", names.get(signalTypeId));
        json.writeNumberField("weight", weight);
        json.writeStringField("timestamp", instant(timestampNanos).toString());
        json.writeNumberField("timestamp_nanos", timestampNanos);
        json.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    void printPosition(long seq, long position) {
      try {
        json.writeStartObject();
        json.writeNumberField("seq", seq);
        json.writeNumberField("source_position", position);
        json.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    void printBatch(WalBatch batch) {
      try {
        json.writeStartObject();
        json.writeStringField("segment", batch.segment().getFileName().toString());
        json.writeNumberField("offset", batch.offset());
        json.writeNumberField("first_seq", batch.firstSequence());
        json.writeNumberField("last_seq", batch.lastSequence());
        json.writeNumberField("events", batch.eventCount());
        json.writeNumberField("bytes", batch.sizeBytes());
        json.writeStringField("timestamp", instant(batch.timestampNanos()).toString());
        json.writeNumberField("version", batch.formatVersion());
        json.writeFieldName("durable_seq");
        if (batch.durableSequence().isPresent()) {
          json.writeNumber(batch.durableSequence().getAsLong());
        } else {
          json.writeNull();
        }
        json.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    void finish() {
      try {
        json.writeRaw('\n');
        json.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final class TextPrinter extends Printer {
    private final PrintWriter out;
    private final Map<Integer, String> names;
    private final String eventLine;
    private boolean header;

    TextPrinter(PrintWriter out, Map<Integer, String> names) {
      this.out = out;
      this.names = names;
      int nameWidth = names.values().stream().mapToInt(String::length).max().orElse(1);
      this.eventLine = "%12s  %20s  %6s %-" + nameWidth + "s  %14s  %s%n";
    }

    @Override
    void printEvent(long seq, long entityId, int signalTypeId, float weight, long timestampNanos) {
      eventHeader();
      out.printf(eventLine, seq, entityId, signalTypeId, names.getOrDefault(signalTypeId, "-"), weight,
          instant(timestampNanos));
    }

    @Override
    void printPosition(long seq, long position) {
      eventHeader();
      out.printf("%12s  source position %d%n", seq, position);
    }

    private void eventHeader() {
      if (!header) {
        out.printf(eventLine, "seq", "entity_id", "signal", "", "weight", "timestamp");
        header = true;
      }
    }

    @Override
    void printBatch(WalBatch batch) {
      if (!header) {
        out.printf("%-28s  %12s  %12s  %12s  %8s  %7s  %12s  %s%n", "segment", "offset", "first_seq", "last_seq",
            "events", "version", "durable_seq", "timestamp");
        header = true;
      }
      out.printf("%-28s  %12d  %12d  %12d  %8d  %7d  %12s  %s%n", batch.segment().getFileName(), batch.offset(),
          batch.firstSequence(), batch.lastSequence(), batch.eventCount(), batch.formatVersion(),
          batch.durableSequence().isPresent() ? Long.toString(batch.durableSequence().getAsLong()) : "-",
          instant(batch.timestampNanos()));
    }

    @Override
    void finish() {
      out.flush();
    }
  }

  static Instant instant(long epochNanos) {
    return WalEvent.instantOf(epochNanos);
  }
}
