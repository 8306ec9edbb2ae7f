package dev.mailroom.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** The two places a part's bytes come from: a file, or a stream the caller hands over. */
final class PartSources {

    private PartSources() {
    }

    static Part.Source file(Path file) {
        return new Part.Source() {
            @Override
            public long length() throws IOException {
                return Files.size(file);
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }

    /** The stream is read (and closed) once, by the send; a second open fails rather than sending nothing. */
    static Part.Source stream(String filename, InputStream in, long length) {
        AtomicBoolean opened = new AtomicBoolean();
        return new Part.Source() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public InputStream open() throws IOException {
                if (opened.getAndSet(true)) {
                    throw new IOException("the stream of " + filename + " was already read; it can be sent once");
                }
                return in;
            }
        };
    }
}
