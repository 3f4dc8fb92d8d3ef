package org.capsync.copy.smb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The classes a run with {@code smb://} CAPs loads and a run of local CAPs does not (smbj, its ASN.1 and event-bus
 * libraries, the JDK's cryptography, this package), listed in {@code smb-start-up-classes.txt} beside this class. The
 * launcher's training for the start-up archive has no SMB server to reach, so its run loads these by name instead: then
 * they are in the archive too, and an SMB run does not read them from the jars. {@code SmbStartUpClassesTest} keeps
 * the list current with a run against a real Samba server.
 */
public final class SmbStartUpClasses {

    /** The system property that makes a command load them before it exits; set by the launchers' training run only. */
    public static final String TRAINING_PROPERTY = "capsync.start-up-training";

    static final String LIST = "smb-start-up-classes.txt";

    private SmbStartUpClasses() {
    }

    /** The listed names, in the list's order. */
    static List<String> names() {
        List<String> names = new ArrayList<>();
        try (InputStream in = SmbStartUpClasses.class.getResourceAsStream(LIST)) {
            if (in == null) {
                throw new IllegalStateException(LIST + " is missing from the jar");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /**
     * Loads, without initialising, every listed class this runtime has: loading is what the JVM's class list records,
     * and initialising would run their static set-up for nothing. A class another version of a library no longer has
     * is passed over; the archive then only lacks it.
     */
    public static void load() {
        ClassLoader loader = SmbStartUpClasses.class.getClassLoader();
        for (String name : names()) {
            try {
                Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // passed over, as documented
            }
        }
    }
}
