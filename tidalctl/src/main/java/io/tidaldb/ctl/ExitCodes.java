package io.tidaldb.ctl;

/**
 * The exit codes of {@code tidalctl}, as listed in {@code --help}.
 *
 * <p>A torn WAL tail is the normal trace of a crash: it is reported as a warning and exits
 * {@link #OK}. Damage before the tail is corruption and exits {@link #CORRUPTION}.
 */
final class ExitCodes {

  /** The command did what was asked (an empty home and a torn tail included). */
  static final int OK = 0;
  /** The home cannot be read: it is missing, not a directory, unreadable, or written by a newer tidalDB. */
  static final int HOME_UNREADABLE = 1;
  /** The command line is wrong. */
  static final int USAGE = 2;
  /** A file of the home is corrupt. */
  static final int CORRUPTION = 3;
  /** tidalctl failed in a way it did not foresee. */
  static final int INTERNAL = 4;

  /** The list shown under "Exit codes:" in every command's help. */
  static final String[] HELP_LIST = {
      OK + ":ok (an empty home and a torn WAL tail included)",
      HOME_UNREADABLE + ":the home cannot be read (missing, not a directory, unreadable, or from a newer tidalDB)",
      USAGE + ":usage error",
      CORRUPTION + ":corruption found",
      INTERNAL + ":internal error",
  };

  private ExitCodes() {}
}
