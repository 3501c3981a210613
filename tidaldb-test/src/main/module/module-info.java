/** Test support for applications that use tidalDB: a manual clock, a temporary home, a JUnit 5 extension. */
module io.tidaldb.test {
  requires transitive io.tidaldb;
  requires transitive org.junit.jupiter.api;

  exports io.tidaldb.test;
}
