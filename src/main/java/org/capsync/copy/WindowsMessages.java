package org.capsync.copy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Obtains, on Windows, the OS's own localized reason for ERROR_SHARING_VIOLATION by provoking one on a temp file: Java
 * gives no access to the Win32 code, and comparing with an English sentence would fail on a German or French server.
 */
final class WindowsMessages {

    private WindowsMessages() {
    }

    static Set<String> sharingViolationReasons() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            return Set.of();
        }
        Set<String> reasons = new HashSet<>();
        Path probe = null;
        try {
            probe = Files.createTempFile("capsync-probe", ".tmp");
            OpenOption noShare = extendedOption("NOSHARE_READ");
            OpenOption noShareWrite = extendedOption("NOSHARE_WRITE");
            if (noShare == null || noShareWrite == null) {
                return Set.of();
            }
            try (FileChannel holder = FileChannel.open(probe, StandardOpenOption.READ, noShare, noShareWrite)) {
                try (FileChannel second = FileChannel.open(probe, StandardOpenOption.READ)) {
                    // opened after all: nothing to learn
                } catch (FileSystemException e) {
                    if (e.getReason() != null) {
                        reasons.add(e.getReason());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Without the probe the built-in English reasons still apply.
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a temp file in the OS temp folder
                }
            }
        }
        return reasons;
    }

    private static OpenOption extendedOption(String name) {
        try {
            Class<?> type = Class.forName("com.sun.nio.file.ExtendedOpenOption");
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(name)) {
                    return (OpenOption) constant;
                }
            }
        } catch (ClassNotFoundException e) {
            // not on this runtime
        }
        return null;
    }
}
