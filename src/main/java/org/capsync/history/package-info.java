/**
 * Every read of the job repository's tables for people and monitors: {@code history}, {@code show}, {@code caps},
 * {@code purge}, the progress of a running execution, and the job's standing that metrics and hooks report. Plain SQL
 * through {@code JdbcClient} over Spring Batch's {@code BATCH_*} and capsync's {@code CAPSYNC_*} tables; no Spring Batch
 * objects are loaded. Uses {@code repository}.
 */
package org.capsync.history;
