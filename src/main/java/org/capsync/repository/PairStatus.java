package org.capsync.repository;

import java.util.Arrays;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Where one (CAP, file) of a job instance stands, as {@code CAPSYNC_PAIR.STATUS} records it. PENDING and RETRY are
 * unfinished: a restart picks them up. This enum is the one definition of "current" and "unfinished", for Java and for
 * the SQL that reads the table.
 */
public enum PairStatus {
    PENDING, RETRY, COPIED, UNCHANGED, SKIPPED, FAILED;

    /** The CAP holds the snapshot's bytes: it received them, or already had them. */
    public boolean current() {
        return this == COPIED || this == UNCHANGED;
    }

    /** No attempt has reached a final outcome yet. */
    public boolean unfinished() {
        return this == PENDING || this == RETRY;
    }

    /**
     * Whether a stored pair status, or an attempt's result ({@code CAPSYNC_ATTEMPT.RESULT}, which also has
     * {@code IN_USE}), left the CAP current; false for null.
     */
    public static boolean current(String stored) {
        return Arrays.stream(values()).anyMatch(s -> s.current() && s.name().equals(stored));
    }

    /** The current statuses as an SQL list: {@code ('COPIED', 'UNCHANGED')}. */
    public static String currentInSql() {
        return inSql(PairStatus::current);
    }

    /** The unfinished statuses as an SQL list: {@code ('PENDING', 'RETRY')}. */
    public static String unfinishedInSql() {
        return inSql(PairStatus::unfinished);
    }

    private static String inSql(Predicate<PairStatus> which) {
        return Arrays.stream(values()).filter(which).map(s -> "'" + s.name() + "'").collect(Collectors.joining(", ", "(", ")"));
    }
}
