package dev.mailroom.compose;

import dev.mailroom.job.S3Location;
import jakarta.activation.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An attachment whose bytes stay in the store until the SMTP DATA stream pulls them: every
 * {@link #getInputStream()} is a fresh streaming read, so a message of any size is written with a
 * constant amount of memory.
 */
final class StoredDataSource implements DataSource {

    private final AttachmentStore store;
    private final S3Location location;
    private final String contentType;
    private final String name;

    StoredDataSource(AttachmentStore store, S3Location location, String contentType, String name) {
        this.store = store;
        this.location = location;
        this.contentType = contentType;
        this.name = name;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return store.open(location);
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        throw new IOException("read-only: " + location);
    }

    @Override
    public String getContentType() {
        return contentType;
    }

    @Override
    public String getName() {
        return name;
    }
}
