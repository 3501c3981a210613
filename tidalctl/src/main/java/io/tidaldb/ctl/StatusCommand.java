package io.tidaldb.ctl;

import io.tidaldb.BuildInfo;
import io.tidaldb.Schema;
import io.tidaldb.SignalSpec;
import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.inspect.LedgerSnapshotInfo;
import io.tidaldb.inspect.LockStatus;
import io.tidaldb.inspect.StoredSchema;
import io.tidaldb.wal.CheckpointMeta;
import io.tidaldb.wal.ScanResult;
import io.tidaldb.wal.Segment;
import io.tidaldb.wal.WalReader;
import io.tidaldb.wal.WalSegments;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

/**
 * {@code tidalctl status --path <dir>}: what the home holds, from its files alone.
 *
 * <p>It lists the WAL's segments, reads the checkpoint, and reads the last segment (not the whole
 * log: {@code tidalctl wal verify} does that) to find the last sequence and a torn tail. It reads
 * the stored schema and checks the ledger snapshot of the checkpoint whole (its size grows with the
 * ledger, not with the log). Everything is read through the core's public readers
 * ({@link StoredSchema#read}, {@link LedgerSnapshotInfo#read}); tidalctl knows no format itself.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Reports what a tidalDB home holds: WAL segments and sequences, checkpoint, ledger snapshot, stored"
        + " schema, directories, lock.")
final class StatusCommand extends HomeCommand {

  @Override
  public Integer call() {
    TidalHome home = homeOption.existingHome();
    Path walDir = home.wal();
    if (Files.exists(walDir) && !Files.isDirectory(walDir)) {
      throw CliFailure.homeUnreadable("not_a_directory", walDir, walDir + " should be the WAL directory but is a file");
    }
    Problems.Findings findings = new Problems.Findings();

    List<Segment> segments = WalSegments.list(walDir);
    List<Path> unknown = WalSegments.unknownFiles(walDir);
    LockStatus lock = HomeChecks.lockStatus(home);

    Optional<CheckpointMeta> checkpoint = findings.read(() -> CheckpointMeta.read(walDir));

    long lastSeq = 0;
    if (!segments.isEmpty()) {
      ScanResult tail = WalReader.of(walDir).scan(segments.get(segments.size() - 1).firstSequence(), Long.MAX_VALUE, batch -> {});
      lastSeq = tail.lastSequence();
      tail.problem().ifPresent(problem -> {
        JsonObject node = findings.add(problem);
        if (Problems.exitCode(problem) == ExitCodes.OK && lock.inUse()) {
          node.put("note", "the home is in use: its newest batch may still be being written");
        }
      });
    }

    Optional<Schema> schema = findings.read(() -> StoredSchema.read(home));
    HomeChecks.missingLog(home).ifPresent(detail ->
        findings.error(Problems.json("missing_log", walDir, 0, detail), ExitCodes.HOME_UNREADABLE));

    Optional<LedgerSnapshotInfo> snapshot = Optional.empty();
    long checkpointSeq = checkpoint.map(CheckpointMeta::sequence).orElse(0L);
    Path snapshotFile = home.ledgerSnapshot(checkpointSeq);
    if (checkpointSeq > 0 && Files.isRegularFile(snapshotFile)) {
      snapshot = findings.read(() -> Optional.of(LedgerSnapshotInfo.read(snapshotFile)));
    } else if (checkpointSeq > 0 && schema.isPresent()) {
      // open() rebuilds the ledger from the log if the log still starts at sequence 1, and refuses
      // otherwise. A live database may have replaced the snapshot since checkpoint.meta was read.
      long firstSeq = segments.isEmpty() ? 1 : segments.get(0).firstSequence();
      JsonObject missing = Problems.json("missing_snapshot", snapshotFile, 0, "the checkpoint at sequence "
          + checkpointSeq + " has no ledger snapshot; the log starts at sequence " + firstSeq + (firstSeq <= 1
              ? ", so opening rebuilds the ledger from the log" : ", so opening refuses: restore the snapshot from a backup"));
      if (lock.inUse()) {
        missing.put("note", "the home is in use: a checkpoint may have replaced the snapshot while status read it");
        findings.warnings.add(missing);
      } else if (firstSeq <= 1) {
        findings.warnings.add(missing);
      } else {
        findings.error(missing, ExitCodes.CORRUPTION);
      }
    }

    JsonObject report = Output.object();
    report.put("version", BuildInfo.version());
    report.put("build_hash", BuildInfo.buildHash());
    report.put("status", !findings.errors.isEmpty() ? "error" : segments.isEmpty() ? "empty" : "ok");
    report.put("storage_mode", segments.isEmpty() && !Files.exists(home.lockFile()) ? "unknown" : "persistent");
    JsonObject wal = report.putObject("wal");
    wal.put("segments", segments.size());
    wal.put("first_seq", segments.isEmpty() ? 0 : segments.get(0).firstSequence());
    wal.put("last_segment_seq", segments.isEmpty() ? 0 : segments.get(segments.size() - 1).firstSequence());
    wal.put("last_seq", lastSeq);
    if (checkpoint.isPresent()) {
      wal.put("checkpoint_seq", checkpoint.get().sequence());
      wal.put("checkpoint_ts", checkpoint.get().time().toString());
    } else {
      wal.putNull("checkpoint_seq");
      wal.putNull("checkpoint_ts");
    }
    wal.put("wal_dir_bytes", directoryBytes(walDir));
    JsonArray strangers = wal.putArray("unknown_files");
    unknown.forEach(p -> strangers.add(p.getFileName().toString()));
    JsonObject ledger = report.putObject("ledger");
    if (snapshot.isPresent()) {
      LedgerSnapshotInfo info = snapshot.get();
      JsonObject node = ledger.putObject("snapshot");
      node.put("file", info.file().toString());
      node.put("sequence", info.sequence());
      node.put("entries", info.entries());
      node.put("time", info.time().toString());
      node.put("bytes", info.bytes());
    } else {
      ledger.putNull("snapshot");
    }
    JsonArray snapshotFiles = ledger.putArray("snapshot_files");
    home.ledgerSnapshots().forEach(p -> snapshotFiles.add(p.getFileName().toString()));
    if (schema.isPresent()) {
      JsonObject node = report.putObject("schema");
      node.put("file", home.schemaFile().toString());
      JsonObject signals = node.putObject("signals");
      for (SignalSpec signal : schema.get().signals()) {
        JsonObject entry = signals.putObject(signal.name());
        entry.put("id", signal.id());
        entry.put("entity_kind", signal.entityKind().name().toLowerCase(java.util.Locale.ROOT));
        entry.put("decay", signal.decay().toString());
        JsonArray windows = entry.putArray("windows");
        signal.windows().forEach(w -> windows.add(w.name()));
      }
    } else {
      report.putNull("schema");
    }
    JsonObject dirs = report.putObject("dirs");
    for (Map.Entry<TidalHome.Dir, Path> dir : home.paths().entrySet()) {
      dirs.put(dir.getKey().key(), dir.getValue().toString());
    }
    report.put("in_use", lock.inUse());
    lock.ownerPid().ifPresent(pid -> report.put("in_use_pid", pid));
    report.set("warnings", findings.warnings);
    report.set("errors", findings.errors);
    output().report(report);
    return findings.exitCode();
  }

  /** The sum of the sizes of the regular files in {@code dir}; 0 if it does not exist. */
  private static long directoryBytes(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long total = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isRegularFile(entry)) {
          total += Files.size(entry);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot read the WAL directory " + dir, e);
    }
    return total;
  }
}
