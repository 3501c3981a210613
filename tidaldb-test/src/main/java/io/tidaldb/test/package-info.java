/**
 * Test support for code that uses tidalDB: a {@link io.tidaldb.test.ManualClock} that moves only
 * when the test says so, a {@link io.tidaldb.test.TempTidalHome} that deletes itself, and the
 * JUnit 5 {@link io.tidaldb.test.TidalDbExtension} that opens a database before each test and
 * closes it after.
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>io.tidaldb</groupId>
 *   <artifactId>tidaldb-test</artifactId>
 *   <scope>test</scope>
 * </dependency>
 * }</pre>
 */
package io.tidaldb.test;
