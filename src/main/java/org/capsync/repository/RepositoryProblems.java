package org.capsync.repository;

import java.io.EOFException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;


/**
 * Says in one line why the job repository could not be used: the usual cause is another program holding the H2 file
 * open without capsync's auto-server (an H2 console, a backup tool), which capsync must not work around by copying
 * without recording.
 */
public final class RepositoryProblems {

    private RepositoryProblems() {
    }

    /**
     * The one line for {@code e}: what capsync recognises, else the failure's own words (its first line, and its root
     * cause's) without Java class names, which an administrator cannot act on; the log has the whole trace.
     */
    public static String describe(Throwable e) {
        return recognised(e).orElseGet(() -> {
            List<Throwable> chain = chain(e);
            Throwable root = chain.get(chain.size() - 1);
            String what = inWords(e);
            String why = root == e ? null : inWords(root);
            return "unexpected failure: " + what + (why == null || quotes(what, why) ? "" : " (cause: " + why + ")")
                    + "; the log has the whole trace.";
        });
    }

    /**
     * A failure's own words: its message's first line without the Java class names a wrapper puts before its cause's
     * message ({@code new X(cause)} takes {@code cause.toString()}), or the kind of failure when it has no message.
     */
    private static String inWords(Throwable t) {
        List<Throwable> chain = chain(t);
        for (Throwable said : chain) {
            // Spring's "Error creating bean with name ... defined in ...: Failed to instantiate [...]" names classes and
            // beans: what failed is its cause.
            boolean wrapperOnly = said.getCause() != null && (String.valueOf(said.getMessage()).equals(said.getCause().toString())
                    || said instanceof org.springframework.beans.BeansException);
            String message = firstLine(said.getMessage());
            if (!wrapperOnly && !message.isBlank()) {
                return message;
            }
        }
        Class<?> kind = chain.get(chain.size() - 1).getClass();
        while (kind.getSimpleName().isEmpty()) { // an anonymous or hidden class: the kind it extends
            kind = kind.getSuperclass();
        }
        return kind.getSimpleName();
    }

    /** {@code message} less the leading "java.io.IOException: " (one or more) that {@code Throwable.toString()} adds. */
    public static String withoutClassNames(String message) {
        return CLASS_NAME_PREFIX.matcher(message).replaceFirst("").strip();
    }

    private static final Pattern CLASS_NAME_PREFIX = Pattern.compile("^(?:\\s*(?:[a-z][\\w$]*\\.){2,}[A-Z][\\w$]*:)+");

    /** Whether {@code what} already says {@code why}, as words of their own (not inside another word or number). */
    private static boolean quotes(String what, String why) {
        for (int at = what.indexOf(why); at >= 0; at = what.indexOf(why, at + 1)) {
            int end = at + why.length();
            if ((at == 0 || !Character.isLetterOrDigit(what.charAt(at - 1)))
                    && (end == what.length() || !Character.isLetterOrDigit(what.charAt(end)))) {
                return true;
            }
        }
        return false;
    }

    /** {@code e} and its causes, each once: a chain that loops back on itself (A caused by B caused by A) ends. */
    private static List<Throwable> chain(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /** The one line for a failure in {@code e}'s chain that capsync knows how to explain, if there is one. */
    public static Optional<String> recognised(Throwable e) {
        return Optional.ofNullable(recognisedOrNull(e));
    }

    private static String recognisedOrNull(Throwable e) {
        for (Throwable t : chain(e)) {
            if (t instanceof RepositoryPassword.Unusable || t instanceof Damaged) {
                return t.getMessage(); // names the file, never the password
            }
        }
        for (Throwable t : chain(e)) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("No space left on device") || message.contains("File too large")
                    || message.contains("Disk quota exceeded")) {
                return "cannot write the job repository under CAPSYNC_HOME (" + firstLine(message)
                        + "): free space there, then run again; an unfinished run is resumed.";
            }
        }
        for (Throwable t : chain(e)) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("Database may be already in use") || message.contains("The file is locked")) {
                return "the job repository is locked by another program (" + firstLine(message)
                        + "); nothing was copied. Close that program or wait for it, then run again.";
            }
        }
        for (Throwable t : chain(e)) {
            String message = String.valueOf(t.getMessage());
            // H2's auto-server: the process that served this home's repository to this one ended or was killed.
            if (message.contains("Connection is broken") || message.contains("Database is already closed")) {
                return "lost the job repository under CAPSYNC_HOME: the capsync process serving it to this one ended or"
                        + " was killed (" + firstLine(message) + "); run again: the next run recovers what this one left.";
            }
        }
        for (Throwable t : chain(e)) {
            // SQLState class 08: no connection; 28: authentication refused. Typical of a shared server that is down,
            // unreachable or given the wrong credentials; the driver's message names host, port or user, never the password.
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("28"))) {
                return "cannot connect to the job repository: " + firstLine(sql.getMessage())
                        + "; nothing was copied. Check that the server is up and CAPSYNC_DB_URL and the user are right, then run again.";
            }
        }
        for (Throwable t : chain(e)) {
            if (t instanceof EndNotRecorded) {
                return t.getMessage();
            }
        }
        return null;
    }

    /**
     * {@code e} as {@link Damaged} when it says the embedded repository's file cannot be read, else {@code e}: the file
     * is known where the repository is opened, not where the failure is reported.
     */
    public static RuntimeException naming(RuntimeException e, RepositoryLocation location) {
        if (location instanceof RepositoryLocation.EmbeddedH2 h2) {
            for (Throwable t : chain(e)) {
                String message = String.valueOf(t.getMessage());
                // A truncated file reads as an unexpected end of the file itself (H2 names it in an IO Exception);
                // an end of a connection to another process's auto-server is not damage and must not be called so.
                if (message.contains("File corrupted") || message.contains("is not a valid H2 database")
                        || message.contains(".mv.db") && causedByEof(t)) {
                    return new Damaged(h2.folder().resolve("capsync.mv.db"), firstLine(message), e);
                }
            }
        }
        return e;
    }

    private static boolean causedByEof(Throwable e) {
        for (Throwable t : chain(e)) {
            if (t instanceof EOFException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A run whose end the job repository could not record (Spring Batch leaves it UNKNOWN), for a cause capsync does
     * not know more about: the next run recovers it.
     */
    public static final class EndNotRecorded extends RuntimeException {
        public EndNotRecorded(long executionId, Throwable cause) {
            super("the job repository could not record the end of execution " + executionId
                    + (cause == null ? "" : " (" + firstLine(String.valueOf(cause.getMessage())) + ")")
                    + "; run again: the next run recovers what this one left.", cause);
        }
    }

    /** The embedded repository's file cannot be read: what it is, and what to do. */
    public static final class Damaged extends RuntimeException {
        Damaged(Path file, String reason, Throwable cause) {
            super("the job repository file " + file + " is damaged (" + reason + "); nothing was copied. Move it aside"
                    + " (its history is then gone from capsync) or restore it from a backup, then run again.", cause);
        }
    }

    /** A message's first line, in words: without the Java class names of {@link #withoutClassNames}. */
    private static String firstLine(String message) {
        return message == null ? "" : withoutClassNames(message.strip().lines().findFirst().orElse(""));
    }
}
