package org.capsync.repository;

import java.sql.SQLException;

import org.capsync.repository.RepositoryPassword;

/**
 * Says in one line why the job repository could not be used: the usual cause is another program holding the H2 file
 * open without capsync's auto-server (an H2 console, a backup tool), which capsync must not work around by copying
 * without recording.
 */
public final class RepositoryProblems {

    private RepositoryProblems() {
    }

    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RepositoryPassword.Unusable password) {
                return password.getMessage(); // names the file, never the password
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("Database may be already in use") || message.contains("The file is locked")) {
                return "the job repository is locked by another program (" + firstLine(message)
                        + "); nothing was copied. Close that program or wait for it, then run again.";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            // SQLState class 08: no connection; 28: authentication refused. Typical of a shared server that is down,
            // unreachable or given the wrong credentials; the driver's message names host, port or user, never the password.
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("28"))) {
                return "cannot connect to the job repository: " + firstLine(sql.getMessage())
                        + "; nothing was copied. Check that the server is up and CAPSYNC_DB_URL and the user are right, then run again.";
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e) : e + " (cause: " + root + ")";
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
