package org.capsync.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.capsync.copy.CopyOutcome;
import org.capsync.definition.Cap;
import org.capsync.repository.CapsyncHome;
import org.capsync.repository.PairStatus;
import org.capsync.repository.RepositoryDatabase;
import org.capsync.repository.RepositoryLocation;
import org.capsync.repository.RepositorySchema;
import org.capsync.run.Pair;
import org.capsync.run.PairAttempt;
import org.capsync.run.PairStore;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Figure 3's other floor: what recording alone costs, with no file, no Spring Batch and no start-up. capsync's own
 * {@link PairStore} statements on the H2 file repository as a run opens it, in a JVM with the launcher's flags: plan
 * one PENDING row per CAP, then per chunk of 100 read the pending page, record each pair UNCHANGED (outcome and
 * attempt) and commit, then close the database (H2 compacts then). Run as a child process by {@link Benchmark};
 * arguments: scratch folder, then CAP counts. Prints one line per count: {@code n plan distribute close} in ms.
 */
public final class RecordingFloor {

    private static final int CHUNK = 100;

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        RepositoryDatabase.confineToLoopback();
        RepositoryLocation repository = new CapsyncHome(home).ensureExists().repositoryLocation();
        String url = repository.jdbcUrl();
        String password = repository.password(); // made before H2 creates the database, as a run does
        long instance = 0;
        for (int i = 1; i < args.length; i++) {
            int caps = Integer.parseInt(args[i]);
            instance++;
            List<Cap> capList = new ArrayList<>(caps);
            for (int c = 0; c < caps; c++) {
                String name = String.format("CAP_%05d", c);
                capList.add(new Cap(name, home.resolve("caps").resolve(name).toString(), true, c + 2));
            }
            Connection connection = DriverManager.getConnection(url, repository.user(), password);
            SingleConnectionDataSource dataSource = new SingleConnectionDataSource(connection, true);
            new RepositorySchema(dataSource).afterPropertiesSet();
            PairStore store = new PairStore(new JdbcTemplate(dataSource));
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            String job = "floor-" + caps;
            long t0 = System.nanoTime();
            long id = instance;
            tx.executeWithoutResult(status -> store.plan(id, job, capList, "clidata.box", List.of("client.lkp"), 1));
            long t1 = System.nanoTime();
            long[] after = {0};
            CopyOutcome unchanged = new CopyOutcome(CopyOutcome.Kind.UNCHANGED, 0, "0".repeat(64), null, 0);
            while (Boolean.TRUE.equals(tx.execute(status -> {
                List<Pair> page = store.pendingPage(id, 0, after[0], CHUNK, job);
                if (page.isEmpty()) {
                    return false;
                }
                after[0] = page.get(page.size() - 1).id();
                Instant now = Instant.now();
                List<PairAttempt> attempts = new ArrayList<>(page.size());
                for (Pair pair : page) {
                    attempts.add(new PairAttempt(pair, pair.attempts() + 1, now, unchanged, PairStatus.UNCHANGED, null));
                }
                store.record(attempts, id);
                return true;
            }))) {
                // one chunk per pass
            }
            long t2 = System.nanoTime();
            connection.close(); // the last connection: H2 closes the database, as at the end of a run
            long t3 = System.nanoTime();
            System.out.printf("%d %.1f %.1f %.1f%n", caps, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
        }
    }
}
