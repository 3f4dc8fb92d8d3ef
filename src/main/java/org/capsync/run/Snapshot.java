package org.capsync.run;

import java.util.Map;

import org.capsync.copy.SourceFile;

/** The source files of one job instance, frozen at its first run: every CAP of the instance gets these bytes. */
record Snapshot(Map<String, SourceFile> files) {

    public Snapshot {
        files = Map.copyOf(files);
    }

    public SourceFile file(String name) {
        SourceFile file = files.get(name);
        if (file == null) {
            throw new IllegalStateException("snapshot has no file " + name);
        }
        return file;
    }
}
