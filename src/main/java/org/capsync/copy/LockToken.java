package org.capsync.copy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMS-style reader coordination, on when the job file says {@code lock-token: true}: {@code Inboxlck.tok} stands in the
 * CAP's target folder while capsync updates it, and clients that honour it wait. The token is the one file besides its
 * temp file and the targets that capsync writes or deletes at a CAP. Its removal is retried, since SMS 2.0 (SP2, SP4)
 * learned that clients opening the token block its deletion. A token this job left in a run that died is removed the
 * next time the CAP is looked at; a token someone else wrote means the folder is in use.
 */
public final class LockToken {

    public static final String NAME = "Inboxlck.tok";

    private static final Logger log = LoggerFactory.getLogger("capsync.attempts");

    private final String jobName;
    private final String firstLine;
    private final int removalAttempts;
    private final Duration firstRemovalDelay;
    private final Map<String, Holders> folders = new ConcurrentHashMap<>();

    public LockToken(String jobName) {
        this(jobName, 6, Duration.ofMillis(200));
    }

    /**
     * @param removalAttempts   how often to try removing the token after an update (delays double, at most 2 s)
     * @param firstRemovalDelay the wait after the first failed removal
     */
    public LockToken(String jobName, int removalAttempts, Duration firstRemovalDelay) {
        this.jobName = jobName;
        this.firstLine = "capsync job=" + jobName;
        this.removalAttempts = removalAttempts;
        this.firstRemovalDelay = firstRemovalDelay;
    }

    /** How many updates of one folder are running in this process: the token goes when the last one ends. */
    private static final class Holders {
        int count;
    }

    /** Before the target is looked at: removes this job's token left by a dead run; another writer's token is "in use". */
    public void clearStale(CapTransport transport, TargetFile target) throws CopyException {
        Holders holders = holders(target);
        synchronized (holders) {
            if (holders.count > 0) {
                return;
            }
            Optional<byte[]> token = transport.readBeside(target, NAME);
            if (token.isEmpty()) {
                return;
            }
            if (!isOurs(token.get())) {
                throw new SharingViolation("in use (" + NAME + " of another writer in " + where(target) + ")");
            }
            log.info("{} {}: removing the {} an earlier run left in {}", jobName, target.describe(), NAME, where(target));
            remove(transport, target);
        }
    }

    /** Puts the token in place before the target is updated (once per folder however many files are in flight). */
    public void acquire(CapTransport transport, TargetFile target) throws CopyException {
        Holders holders = holders(target);
        synchronized (holders) {
            if (holders.count == 0) {
                String content = firstLine + "\r\nwritten " + Instant.now() + " by process " + ProcessHandle.current().pid() + "\r\n";
                transport.writeBeside(target, NAME, content.getBytes(StandardCharsets.US_ASCII));
            }
            holders.count++;
        }
    }

    /**
     * Removes the token after the update, retrying while a client holds it. Never fails the copy: a token that will
     * not go is logged and removed by the next attempt or run as stale.
     */
    public void release(CapTransport transport, TargetFile target) {
        Holders holders = holders(target);
        synchronized (holders) {
            holders.count--;
            if (holders.count > 0) {
                return;
            }
            try {
                remove(transport, target);
            } catch (CopyException e) {
                log.warn("{} {}: {} left in {} ({}); the next run removes it", jobName, target.describe(), NAME,
                        where(target), e.reason());
            }
        }
    }

    private void remove(CapTransport transport, TargetFile target) throws CopyException {
        Duration delay = firstRemovalDelay;
        for (int attempt = 1; ; attempt++) {
            try {
                transport.deleteBeside(target, NAME);
                if (attempt > 1) {
                    log.info("{} {}: {} removed, attempt {}", jobName, target.describe(), NAME, attempt);
                }
                return;
            } catch (SharingViolation e) {
                if (attempt >= removalAttempts) {
                    throw e;
                }
                log.info("{} {}: {} {}, removal attempt {}/{}, retry in {} ms", jobName, target.describe(), NAME,
                        e.reason(), attempt, removalAttempts, delay.toMillis());
                sleep(delay);
                delay = delay.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : delay.multipliedBy(2);
            }
        }
    }

    private boolean isOurs(byte[] token) {
        String text = new String(token, StandardCharsets.US_ASCII);
        int end = text.indexOf('\r');
        return (end < 0 ? text.strip() : text.substring(0, end)).equals(firstLine);
    }

    private Holders holders(TargetFile target) {
        return folders.computeIfAbsent(target.capPath() + "\u0000" + target.folder(), key -> new Holders());
    }

    private static String where(TargetFile target) {
        return target.capName() + (target.folder().isEmpty() ? "" : "/" + target.folder());
    }

    private static void sleep(Duration delay) throws SharingViolation {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SharingViolation("interrupted while waiting to remove " + NAME, e);
        }
    }
}
