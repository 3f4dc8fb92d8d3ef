package org.capsync.run;

import java.util.Iterator;
import java.util.List;

import org.springframework.batch.infrastructure.item.ItemReader;

/**
 * The distribute step's reader: one partition's PENDING pairs, a page at a time. It keeps no restart state: the status
 * is the cursor (a pair leaves PENDING in the chunk that attempted it), and the remembered last PAIR_ID only guarantees
 * progress within this execution.
 */
class PendingPairReader implements ItemReader<Pair> {

    private final PairStore store;
    private final long instanceId;
    private final int partition;
    private final int pageSize;
    private final String jobName;
    private Iterator<Pair> page = List.<Pair>of().iterator();
    private long lastPairId;
    private boolean exhausted;

    public PendingPairReader(PairStore store, long instanceId, int partition, int pageSize, String jobName) {
        this.store = store;
        this.instanceId = instanceId;
        this.partition = partition;
        this.pageSize = pageSize;
        this.jobName = jobName;
    }

    @Override
    public Pair read() {
        if (!page.hasNext()) {
            if (exhausted) {
                return null;
            }
            List<Pair> next = store.pendingPage(instanceId, partition, lastPairId, pageSize, jobName);
            exhausted = next.size() < pageSize;
            if (next.isEmpty()) {
                return null;
            }
            lastPairId = next.get(next.size() - 1).id();
            page = next.iterator();
        }
        return page.next();
    }
}
