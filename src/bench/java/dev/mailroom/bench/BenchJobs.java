package dev.mailroom.bench;

import dev.mailroom.compose.AttachmentStore;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.SendJob;
import dev.mailroom.testing.TestJobs;
import java.io.IOException;
import java.io.InputStream;

/** The benchmark message: one recipient, a plain-text body of a given size (7-bit, as smtp-source's). */
final class BenchJobs {

    static final String SENDER = "Mailroom Bench <bench@mailroom.test>";
    static final String RECIPIENT_DOMAIN = "sink.bench.test";
    static final String RECIPIENT = "rcpt@" + RECIPIENT_DOMAIN;

    private BenchJobs() {
    }

    /** ASCII lines of 72 characters: Jakarta Mail sends it 7bit, so the wire size is the body size. */
    static String text(int bytes) {
        StringBuilder text = new StringBuilder(bytes);
        int line = 0;
        while (text.length() < bytes) {
            if (line == 72) {
                text.append('\n');
                line = 0;
            } else {
                text.append((char) ('a' + (text.length() % 26)));
                line++;
            }
        }
        return text.toString();
    }

    static SendJob job(String jobId, int bodyBytes) {
        return TestJobs.from(SENDER).jobId(jobId).to(RECIPIENT).subject("Mailroom benchmark").text(text(bodyBytes)).build();
    }

    /** The job as SQS JSON (contract v1). */
    static String json(String jobId, String senderDomain, int bodyBytes) {
        return "{\"version\":1,\"jobId\":\"" + jobId + "\",\"from\":\"Bench <bench@" + senderDomain + ">\","
                + "\"to\":[\"" + RECIPIENT + "\"],\"subject\":\"Mailroom benchmark\",\"text\":\""
                + text(bodyBytes).replace("\n", "\\n") + "\"}";
    }

    /** The benchmark jobs carry no attachment: any read is a bug. */
    static final class NoAttachments implements AttachmentStore {
        @Override
        public long size(S3Location location) {
            throw new UnsupportedOperationException("no attachments in this benchmark");
        }

        @Override
        public InputStream open(S3Location location) throws IOException {
            throw new UnsupportedOperationException("no attachments in this benchmark");
        }
    }
}
