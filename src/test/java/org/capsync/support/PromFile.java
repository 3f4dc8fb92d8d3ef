package org.capsync.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus textfile-collector file as a test reads it. */
public final class PromFile {

    private static final Pattern SAMPLE = Pattern.compile("([a-z_]+)\\{([^}]*)} (-?[0-9]+(?:\\.[0-9]+)?)");

    private PromFile() {
    }

    /**
     * Parses the exposition text strictly: every line is a HELP, a TYPE or a sample of a metric declared just before,
     * and no series appears twice. Returns the samples by {@code name{labels}}.
     */
    public static Map<String, Double> samples(Path prom) throws IOException {
        Map<String, Double> samples = new LinkedHashMap<>();
        Set<String> typed = new HashSet<>();
        List<String> lines = Files.readAllLines(prom);
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            if (line.startsWith("# HELP ")) {
                assertThat(line.split(" ", 4)).hasSize(4);
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertThat(parts).hasSize(4);
                assertThat(parts[3]).isEqualTo("gauge");
                assertThat(typed.add(parts[2])).as("TYPE once per metric: " + line).isTrue();
            } else {
                Matcher sample = SAMPLE.matcher(line);
                assertThat(sample.matches()).as("sample line: " + line).isTrue();
                assertThat(typed).as("TYPE before samples: " + line).contains(sample.group(1));
                String key = sample.group(1) + "{" + sample.group(2) + "}";
                assertThat(samples.put(key, Double.parseDouble(sample.group(3)))).as("series once: " + key).isNull();
            }
        }
        return samples;
    }
}
