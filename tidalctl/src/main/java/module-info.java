/** {@code tidalctl}: the cold-inspection command line; it reads a home through the exported API only. */
module io.tidaldb.ctl {
  requires io.tidaldb;
  requires info.picocli;
  requires com.fasterxml.jackson.core;

  // picocli sets the command classes' options reflectively.
  opens io.tidaldb.ctl to info.picocli;
}
