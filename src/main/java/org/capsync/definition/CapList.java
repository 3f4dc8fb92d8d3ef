package org.capsync.definition;

import java.nio.file.Path;
import java.util.List;

/** The CAPs of a job, in file order, as read from its CAP list. */
public record CapList(Path file, List<Cap> caps) {

    public CapList {
        caps = List.copyOf(caps);
    }

    public List<Cap> enabled() {
        return caps.stream().filter(Cap::enabled).toList();
    }
}
