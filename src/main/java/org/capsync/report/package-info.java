/**
 * {@code capsync report}: the job's last runs as one self-contained HTML page, built from {@code history}'s queries.
 * Uses {@code history} and {@code definition}.
 */
package org.capsync.report;
