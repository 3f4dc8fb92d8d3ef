package org.capsync.cli;

/** A command given something it cannot work with (unknown job or execution, bad option value): exit code 2. */
class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
