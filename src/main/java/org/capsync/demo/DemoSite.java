package org.capsync.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The demo site under {@code CAPSYNC_HOME/demo}: a source inbox with a {@code client.lkp}, 20 CAP folders (some holding
 * last week's file) and the job file and CAP list that point at them. Made once; {@code --reset} makes it anew.
 */
public record DemoSite(Path root) {

    public static final int CAPS = 20;

    /** The demo job's name, as its job file says: {@code demo} takes this job's run lock before it touches the site. */
    public static final String JOB = "demo";
    /** Held for a few seconds: retried, then copied. */
    public static final String BRIEFLY_HELD = "CAP_07";
    /** Held throughout: skipped once its attempts run out. */
    public static final String HELD = "CAP_13";

    public Path jobFile() {
        return root.resolve("demo.yml");
    }

    public Path source() {
        return root.resolve("inboxes").resolve("clidata.src");
    }

    public Path capFile(String cap) {
        return root.resolve("caps").resolve(cap).resolve("clidata.box").resolve("client.lkp");
    }

    public boolean exists() {
        return Files.isRegularFile(jobFile());
    }

    public void create() throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(source());
        Files.writeString(source().resolve("client.lkp"), lookupTable("2026-11-25"), StandardCharsets.UTF_8);
        StringBuilder caps = new StringBuilder("# The demo's Client Access Points: name,path (relative paths are not allowed: these are absolute)\nname,path\n");
        for (int i = 1; i <= CAPS; i++) {
            String name = String.format("CAP_%02d", i);
            Path box = capFile(name).getParent();
            Files.createDirectories(box);
            if (i % 3 == 1 || name.equals(BRIEFLY_HELD) || name.equals(HELD)) {
                Files.writeString(box.resolve("client.lkp"), lookupTable("2026-11-18"), StandardCharsets.UTF_8);
            }
            caps.append(name).append(',').append(box.getParent()).append('\n');
        }
        Files.writeString(root.resolve("demo.caps.csv"), caps, StandardCharsets.UTF_8);
        Files.writeString(jobFile(), """
                # The demo job: ./capsync demo runs it. Short retries so that the demo takes seconds.
                name: demo
                source: inboxes/clidata.src
                files: [client.lkp]
                caps: demo.caps.csv
                target: clidata.box
                retry: { attempts: 4, delay: 2s, multiplier: 2, max-delay: 10s }
                threads: 4
                """, StandardCharsets.UTF_8);
    }

    /** Stand-in for SMS's client lookup file: the same bytes for the same date. */
    private static String lookupTable(String date) {
        StringBuilder text = new StringBuilder("[Client Lookup] generated " + date + "\n");
        for (int i = 0; i < 400; i++) {
            text.append(String.format("SMSID-%06d=%08X,%s%n", i, (date.hashCode() * 31 + i) & 0x7fffffff, date));
        }
        return text.toString();
    }
}
