/**
 * capsync's Logback configuration, built in code: the job's log file under {@code CAPSYNC_HOME/logs} and the console
 * lines for cron and Task Scheduler mails. Uses nothing else of capsync.
 */
package org.capsync.logging;
