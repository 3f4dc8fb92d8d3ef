/**
 * What follows every run for monitoring: the Prometheus metrics file and the {@code on-failure} / {@code on-skips}
 * hooks. Reads the job's standing through {@code history}; never changes a run's exit code.
 */
package org.capsync.ops;
