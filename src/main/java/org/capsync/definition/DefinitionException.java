package org.capsync.definition;

import java.nio.file.Path;

/**
 * A job file or CAP list that cannot be used as written. The message names the file and, where there is one, the line,
 * so an administrator can go straight to the mistake. Always maps to exit code 2: nothing has been copied.
 */
public class DefinitionException extends RuntimeException {

    private final Path file;
    private final int line;

    public DefinitionException(Path file, int line, String problem) {
        super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public DefinitionException(Path file, String problem) {
        this(file, 0, problem);
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, or 0 when the problem concerns the file as a whole. */
    public int line() {
        return line;
    }
}
