/**
 * The Spring Batch job that distributes the files: its steps (snapshot, plan, distribute, retry), the reader, processor
 * and writer of the distribute step, the store that writes capsync's tables and reads the job's own work queue, the
 * coordinator that starts, restarts or recovers an execution, the per-job run lock and the run's summary. Uses
 * {@code copy}, {@code definition} and {@code repository}; reads for reporting belong to {@code history}.
 */
package org.capsync.run;
