package dev.mailroom.testing;

import dev.mailroom.compose.AttachmentException;
import dev.mailroom.compose.AttachmentStore;
import dev.mailroom.job.S3Location;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An attachment store in memory, S3-like in what a reader sees: sizes, fresh streaming reads, and a count of them. */
public final class MemoryAttachmentStore implements AttachmentStore {

    private final Map<S3Location, byte[]> objects = new ConcurrentHashMap<>();
    private final AtomicInteger opens = new AtomicInteger();

    public MemoryAttachmentStore put(S3Location location, byte[] content) {
        objects.put(location, content.clone());
        return this;
    }

    @Override
    public long size(S3Location location) {
        return object(location).length;
    }

    @Override
    public InputStream open(S3Location location) {
        byte[] content = object(location);
        opens.incrementAndGet();
        return new ByteArrayInputStream(content);
    }

    /** How many reads {@link #open} has started. */
    public int opens() {
        return opens.get();
    }

    private byte[] object(S3Location location) {
        byte[] content = objects.get(location);
        if (content == null) {
            throw new AttachmentException.NotFound(location, null);
        }
        return content;
    }
}
