package org.capsync;

import org.capsync.cli.CapsyncCli;
import org.capsync.run.RepositoryDatabase;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * capsync: puts a site server's inbox files (first of all {@code client.lkp}) onto every Client Access Point, retrying
 * through sharing violations, recorded in a Spring Batch job repository. The command line decides which parts of the
 * application context a command needs; there is no component scan.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class CapsyncApplication {

    public static void main(String[] args) {
        RepositoryDatabase.confineToLoopback();
        System.exit(CapsyncCli.execute(args));
    }
}
