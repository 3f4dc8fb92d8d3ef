/**
 * capsync: puts a site server's inbox files (first of all {@code client.lkp}) onto every Client Access Point, retrying
 * through sharing violations, recorded in a Spring Batch job repository. {@code CapsyncApplication} is the entry point;
 * each subpackage owns one concern (docs/architecture.md draws them and what each may use).
 */
package org.capsync;
