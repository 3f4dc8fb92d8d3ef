/**
 * Workers on other machines: a job with {@code workers: true} runs its partitions on {@code capsync worker} processes
 * near the CAPs, through an ActiveMQ Artemis broker (Spring Batch remote partitioning, in polling mode: the shared
 * PostgreSQL repository is the one source of truth, the broker only carries requests). Owns the broker settings, the
 * site server's partition handler and recovery guard, the partition locks, the workers' registry and the worker
 * process itself.
 * <p>
 * May use {@code run}, {@code copy}, {@code copy.smb}, {@code definition}, {@code repository}, {@code logging}. Only
 * {@code cli} uses it, and only for a job on workers or {@code capsync worker}: a local run loads none of its classes,
 * nor the broker's or Spring Integration's.
 */
package org.capsync.workers;
