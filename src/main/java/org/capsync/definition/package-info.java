/**
 * The job as an administrator defines it: the job file ({@code jobs/NAME.yml}), the CAP list (CSV), the source files,
 * the retry settings, and the duration notation both use. Parsing validates everything and names the file and line of
 * a mistake ({@code DefinitionException}, exit code 2); and the words every package gives a file-system failure
 * ({@code FileSystemReason}). Values only: uses nothing else of capsync.
 */
package org.capsync.definition;
