package org.capsync.run;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/** The distribute step's writer: a chunk's outcomes and attempts, in two batched statements, in the chunk's transaction. */
class PairAttemptWriter implements ItemWriter<PairAttempt> {

    private final PairStore store;
    private final long executionId;

    public PairAttemptWriter(PairStore store, long executionId) {
        this.store = store;
        this.executionId = executionId;
    }

    @Override
    public void write(Chunk<? extends PairAttempt> chunk) {
        store.record(chunk.getItems(), executionId);
    }
}
