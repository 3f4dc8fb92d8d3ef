/**
 * The job repository: where it lives ({@code CAPSYNC_HOME} and its embedded H2 file, or a shared PostgreSQL server),
 * opening it for a run (the Spring context, the pool, the gate that keeps readers and runs from depending on each
 * other) or for a reader (one connection), securing it (the embedded repository's password), migrating it (Flyway),
 * handing it over when a run serves others, and the vocabulary of capsync's tables ({@code PairStatus},
 * {@code RunStatus}). Uses nothing else of capsync.
 */
package org.capsync.repository;
