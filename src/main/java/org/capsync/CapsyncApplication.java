package org.capsync;

import org.capsync.cli.CapsyncCli;
import org.capsync.copy.smb.SmbStartUpClasses;
import org.capsync.logging.LogbackWithoutSearch;
import org.capsync.repository.RepositoryConfiguration;
import org.capsync.repository.RepositoryDatabase;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.context.annotation.Import;

/**
 * capsync: puts a site server's inbox files (first of all {@code client.lkp}) onto every Client Access Point, retrying
 * through sharing violations, recorded in a Spring Batch job repository. The command line decides which parts of the
 * application context a command needs; there is no component scan and no auto-configuration (the repository's beans are
 * {@link RepositoryConfiguration}).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@Import(RepositoryConfiguration.class)
public class CapsyncApplication {

    public static void main(String[] args) {
        CapsyncCli.skipGroovyLookup();
        LogbackWithoutSearch.choose();
        RepositoryDatabase.confineToLoopback();
        int code = CapsyncCli.execute(args);
        try {
            if (Boolean.getBoolean(SmbStartUpClasses.TRAINING_PROPERTY)) {
                SmbStartUpClasses.load();
            }
        } finally {
            System.exit(code);
        }
    }
}
