/**
 * Machinery shared by the packages of the core: durable file writes, the {@code LOCK} files, latency
 * recorders. <strong>Not API</strong>: the package is not exported from the {@code io.tidaldb}
 * module, and may change in any release.
 */
package io.tidaldb.internal;
