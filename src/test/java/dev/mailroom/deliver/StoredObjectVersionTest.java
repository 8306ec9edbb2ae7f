package dev.mailroom.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.compose.AttachmentStore;
import dev.mailroom.compose.S3AttachmentStore;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.SendJob;
import dev.mailroom.testing.DnsTestServer;
import dev.mailroom.testing.S3TestServer;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.TestEngines;
import dev.mailroom.testing.TestJobs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A raw message is read several times in one attempt (its header block for the sender checks, a
 * measuring pass, then the send): all reads must be of one version of the object. Otherwise an
 * overwrite between the check and the send would send a From that was never checked.
 */
class StoredObjectVersionTest {

    private static final String BUCKET = "mailroom-versions";
    private static final String KEY = "raw/letter.eml";

    private DnsTestServer dns;
    private SmtpTestServer mx;
    private S3TestServer s3;

    @BeforeEach
    void start() {
        dns = DnsTestServer.start();
        dns.mx("versions.test", 10, "mx.versions.test").a("mx.versions.test", "127.0.0.2");
        mx = SmtpTestServer.builder().bind("127.0.0.2").start();
        s3 = S3TestServer.shared();
    }

    @AfterEach
    void stop() {
        mx.close();
        dns.close();
    }

    @Test
    void aRawMessageOverwrittenBetweenItsChecksAndItsSendingShouldNotGoOut() {
        // Given: a checked message, replaced by a spoof just before the send reads it
        s3.put(BUCKET, KEY, letter("billing@mailroom.test"));
        AttachmentStore overwriting = new OverwriteBeforeRead(new S3AttachmentStore(s3.client()), 3,
                () -> s3.put(BUCKET, KEY, letter("ceo@evil.test")));
        SendJob job = TestJobs.from("billing@mailroom.test").to("ann@versions.test").subject(null)
                .raw(BUCKET, KEY).build();

        // When
        Outcome outcome;
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(mx.port()), dns, overwriting)) {
            outcome = TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor("ann@versions.test").outcome();
        }

        // Then: not delivered (another attempt will check the new version from the start)
        assertThat(outcome).isInstanceOf(Outcome.Transient.class);
        assertThat(mx.received()).isEmpty();
    }

    @Test
    void aRawMessageLeftAloneShouldStillBeDelivered() {
        s3.put(BUCKET, KEY, letter("billing@mailroom.test"));
        SendJob job = TestJobs.from("billing@mailroom.test").to("ann@versions.test").subject(null)
                .raw(BUCKET, KEY).build();

        Outcome outcome;
        try (DeliveryEngine engine = TestEngines.engine(TestEngines.mxSettings(mx.port()), dns,
                new S3AttachmentStore(s3.client()))) {
            outcome = TestEngines.send(engine, job, TestJobs.envelopeOf(job)).resultFor("ann@versions.test").outcome();
        }

        assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(mx.received()).singleElement().satisfies(m -> assertThat(m.content()).contains("From: billing@mailroom.test"));
    }

    private static byte[] letter(String from) {
        return ("From: " + from + "\r\nTo: ann@versions.test\r\nSubject: Invoice\r\nMessage-ID: <v1@mailroom.test>\r\n"
                + "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nPay up.\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The store as the engine sees it, but the object is overwritten before its {@code n}th read. */
    private static final class OverwriteBeforeRead implements AttachmentStore {
        private final AttachmentStore store;
        private final int n;
        private final Runnable overwrite;
        private final AtomicInteger reads = new AtomicInteger();

        OverwriteBeforeRead(AttachmentStore store, int n, Runnable overwrite) {
            this.store = store;
            this.n = n;
            this.overwrite = overwrite;
        }

        @Override
        public long size(S3Location location) {
            return store.size(location);
        }

        @Override
        public InputStream open(S3Location location) throws IOException {
            if (reads.incrementAndGet() == n) {
                overwrite.run();
            }
            return store.open(location);
        }

        @Override
        public AttachmentStore pinned() {
            return new OverwriteBeforeRead(store.pinned(), n, overwrite);
        }
    }
}
