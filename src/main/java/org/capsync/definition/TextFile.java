package org.capsync.definition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads a definition file as strict UTF-8 (BOM dropped), so a file saved in a legacy code page is named, not misread. */
final class TextFile {

    private TextFile() {
    }

    static String read(Path file, String what) {
        // Not even opened otherwise: a named pipe would keep the run waiting for a writer, a device feed it forever.
        Optional<String> notAFile = FileSystemReason.notAFile(file);
        if (notAFile.isPresent()) {
            throw new DefinitionException(file, what + " is " + notAFile.get() + ", not a file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DefinitionException(file, what + " not found");
        } catch (AccessDeniedException e) {
            throw new DefinitionException(file, what + " is not readable (access denied)");
        } catch (IOException e) {
            throw new DefinitionException(file, what + " cannot be read: " + FileSystemReason.of(e, file));
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new DefinitionException(file, firstBadLine(bytes),
                    what + " is not UTF-8 text (save it as UTF-8)");
        }
    }

    private static int firstBadLine(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                try {
                    decoder.reset().decode(ByteBuffer.wrap(bytes, lineStart, i - lineStart));
                } catch (CharacterCodingException e) {
                    return line;
                }
                line++;
                lineStart = i + 1;
            }
        }
        return line;
    }
}
