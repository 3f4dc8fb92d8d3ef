/**
 * What follows every run for monitoring: the Prometheus metrics file and the {@code on-failure} / {@code on-skips}
 * hooks. Reads the job's standing through {@code history}; never changes a run's exit code. Also how a file capsync
 * writes for others to read (the metrics file, the HTML report) replaces the one before it ({@link PublishedFile}).
 */
package org.capsync.ops;
