package org.capsync.copy;

import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/** One file of the run's snapshot: the bytes every CAP of the run receives, whatever the source does meanwhile. */
public record SourceFile(String name, Path path, FileDigest digest, FileTime lastModified) {
}
