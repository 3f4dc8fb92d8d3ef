package org.capsync.repository;

/** Where one (CAP, file) of a job instance stands. PENDING and RETRY are unfinished: a restart picks them up. */
public enum PairStatus {
    PENDING, RETRY, COPIED, UNCHANGED, SKIPPED, FAILED;

    public boolean current() {
        return this == COPIED || this == UNCHANGED;
    }
}
