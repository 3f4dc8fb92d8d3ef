package org.capsync.copy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Linux kernel's table of file locks ({@code /proc/locks}): the only way a process that may not open a file for
 * writing can see a reader's shared record lock on it. A shared lock of its own would never conflict with the reader's,
 * and an exclusive one needs write access; the table lists every process's POSIX, OFD and flock locks by device and
 * inode, whoever may open the file.
 */
final class KernelLocks {

    private final Path table;

    KernelLocks(Path table) {
        this.table = table;
    }

    static KernelLocks forThisMachine() {
        return new KernelLocks(Path.of("/proc/locks"));
    }

    /**
     * Whether a process other than this one holds (or waits for) a lock on {@code file}; empty when this system cannot
     * tell (no lock table, or no device and inode numbers for the file).
     */
    Optional<Boolean> heldByOthers(Path file) {
        long device;
        long inode;
        List<String> lines;
        try {
            Map<String, Object> ids = Files.readAttributes(file, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            device = (Long) ids.get("dev");
            inode = (Long) ids.get("ino");
            lines = Files.readAllLines(table);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
        // st_dev as glibc encodes it; the table prints the kernel's major and minor numbers in hex.
        long major = ((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL);
        long minor = (device & 0xff) | ((device >>> 12) & ~0xffL);
        String id = String.format("%02x:%02x:%d", major, minor, inode);
        long self = ProcessHandle.current().pid();
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            for (int i = 1; i < fields.length; i++) {
                if (fields[i].equalsIgnoreCase(id)) {
                    if (!fields[i - 1].equals(Long.toString(self))) {
                        return Optional.of(true);
                    }
                    break;
                }
            }
        }
        return Optional.of(false);
    }
}
