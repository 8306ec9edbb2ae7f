package dev.mailroom.compose;

import dev.mailroom.job.S3Location;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where large attachments and raw messages live. Reads are streamed: nothing here may buffer an
 * object whole.
 */
public interface AttachmentStore {

    /**
     * The object's size in bytes.
     *
     * @throws AttachmentException.NotFound    the object does not exist (or may not be read)
     * @throws AttachmentException.Unavailable the store failed in a way that may pass
     */
    long size(S3Location location);

    /** Opens the object for one sequential read; the caller closes the stream. */
    InputStream open(S3Location location) throws IOException;

    /**
     * A view that reads each object as it was at its first read through the view, for one
     * composition: the sender fields checked, the size measured and the bytes sent must all be of one
     * version of the object, whatever overwrites it meanwhile. A later read of a changed object fails
     * (an {@link IOException}, or {@link AttachmentException.Unavailable} from {@link #size}), so the
     * attempt is retried from the start. Stores whose objects cannot change return themselves.
     */
    default AttachmentStore pinned() {
        return this;
    }
}
