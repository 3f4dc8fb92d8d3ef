package org.capsync.run;

import org.springframework.batch.infrastructure.item.ItemProcessor;

/** The distribute step's processor: one copy attempt per pair, against the instance's snapshot. */
class PairAttemptProcessor implements ItemProcessor<Pair, PairAttempt> {

    private final PairCopier copier;
    private final Snapshot snapshot;

    public PairAttemptProcessor(PairCopier copier, Snapshot snapshot) {
        this.copier = copier;
        this.snapshot = snapshot;
    }

    @Override
    public PairAttempt process(Pair pair) {
        return copier.attempt(pair, snapshot);
    }
}
