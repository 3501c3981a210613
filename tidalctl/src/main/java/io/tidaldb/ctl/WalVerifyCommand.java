package io.tidaldb.ctl;

import io.tidaldb.CorruptionException;
import io.tidaldb.TidalHome;
import io.tidaldb.UnsupportedFormatException;
import io.tidaldb.wal.CheckpointMeta;
import io.tidaldb.wal.ScanResult;
import io.tidaldb.wal.WalReader;
import java.util.Optional;
import picocli.CommandLine.Command;

/**
 * {@code tidalctl wal verify --path <dir>}: reads every batch of every segment and checks it
 * (header, sequence continuity, checksum), and checks the checkpoint. Exit 0 when clean or when the
 * only problem is a torn tail; {@link ExitCodes#CORRUPTION} for corruption.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Checks every batch of the WAL and the checkpoint; reports segments, batches, events, "
        + "the sequence range and the first problem (file, offset, kind).")
final class WalVerifyCommand extends HomeCommand {

  @Override
  public Integer call() {
    TidalHome home = homeOption.existingHome();
    long started = System.nanoTime();
    ScanResult result = WalReader.of(home.wal()).verify();
    double seconds = (System.nanoTime() - started) / 1e9;

    JsonObject report = Output.object();
    int exitCode = result.problem().map(Problems::exitCode).orElse(ExitCodes.OK);
    JsonObject checkpoint = Output.object();
    String checkpointStatus;
    try {
      Optional<CheckpointMeta> meta = CheckpointMeta.read(home.wal());
      checkpointStatus = meta.isPresent() ? "ok" : "absent";
      checkpoint.put("status", checkpointStatus);
      meta.ifPresent(m -> checkpoint.put("seq", m.sequence()).put("ts", m.time().toString()));
    } catch (CorruptionException e) {
      checkpointStatus = "corruption";
      checkpoint.put("status", checkpointStatus).set("problem", Problems.json(e));
      exitCode = Problems.worst(exitCode, ExitCodes.CORRUPTION);
    } catch (UnsupportedFormatException e) {
      checkpointStatus = "unsupported_version";
      checkpoint.put("status", checkpointStatus).set("problem", Problems.json(e));
      exitCode = Problems.worst(exitCode, ExitCodes.HOME_UNREADABLE);
    }

    report.put("status", result.problem().map(Problems::kind)
        .orElse(exitCode == ExitCodes.OK ? "ok" : "checkpoint_" + checkpointStatus));
    report.put("wal_dir", home.wal().toString());
    report.put("segments", result.segments().size());
    report.put("batches", result.batches());
    report.put("events", result.events());
    report.put("bytes", result.bytes());
    report.put("first_seq", result.firstSequence());
    report.put("last_seq", result.lastSequence());
    report.put("seconds", Math.round(seconds * 1000) / 1000.0);
    report.put("mb_per_second", seconds > 0 ? Math.round(result.bytes() / 1e6 / seconds * 10) / 10.0 : 0);
    if (result.problem().isPresent()) {
      report.set("problem", Problems.json(result.problem().get()));
    } else {
      report.putNull("problem");
    }
    report.set("checkpoint", checkpoint);
    JsonArray strangers = report.putArray("unknown_files");
    result.unknownFiles().forEach(p -> strangers.add(p.getFileName().toString()));
    output().report(report);
    return exitCode;
  }
}
