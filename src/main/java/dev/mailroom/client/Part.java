package dev.mailroom.client;

import java.io.IOException;
import java.io.InputStream;

/**
 * One file that goes with an email: an attachment, an inline image or the raw message. Its bytes are
 * read only when the email is sent.
 *
 * @param disposition {@code attachment} or {@code inline}
 * @param contentId   for inline parts referenced as {@code cid:<contentId>}, else null
 */
record Part(String filename, String contentType, String disposition, String contentId, Source source) {

    /** Where a part's bytes come from. */
    interface Source {

        /** @return the size in bytes, known before reading */
        long length() throws IOException;

        /**
         * Opens the bytes from the start. A file can be opened again (an SDK retry does so); a
         * caller's stream only once.
         */
        InputStream open() throws IOException;
    }
}
