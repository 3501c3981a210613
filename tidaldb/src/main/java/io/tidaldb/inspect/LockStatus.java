package io.tidaldb.inspect;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether a home is held by an open database ({@link HomeChecks#lockStatus}).
 *
 * @param inUse whether an open database holds the home's lock
 * @param ownerPid the process id written into the {@code LOCK} file by its holder, where known
 */
public record LockStatus(boolean inUse, Optional<Long> ownerPid) {

  /**
   * Checks the components.
   *
   * @param inUse whether an open database holds the home's lock
   * @param ownerPid the process id written into the {@code LOCK} file by its holder, where known
   */
  public LockStatus {
    Objects.requireNonNull(ownerPid, "ownerPid");
  }
}
