package org.capsync.run;

import org.capsync.copy.TargetFile;

/** One unfinished (CAP, file) of a job instance, as read from {@code CAPSYNC_PAIR}. */
public record Pair(long id, TargetFile target, int attempts) {
}
