/**
 * capsync's Logback configuration, built in code: the job's log file under {@code CAPSYNC_HOME/logs} and the console
 * lines for cron and Task Scheduler mails; and how logging starts (SLF4J bound to Logback without a search of the class
 * path, JDK logging bridged only when something uses it). Uses nothing else of capsync.
 */
package org.capsync.logging;
