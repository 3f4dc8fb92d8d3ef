package org.capsync;

import org.capsync.cli.CapsyncCli;
import org.capsync.run.RepositoryDatabase;
import org.capsync.run.RepositorySchema;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * capsync: puts a site server's inbox files (first of all {@code client.lkp}) onto every Client Access Point, retrying
 * through sharing violations, recorded in a Spring Batch job repository. The command line decides which parts of the
 * application context a command needs; there is no component scan.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(RepositorySchema.class)
public class CapsyncApplication {

    public static void main(String[] args) {
        RepositoryDatabase.confineToLoopback();
        System.exit(CapsyncCli.execute(args));
    }
}
