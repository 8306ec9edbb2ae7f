package dev.mailroom.testing;

import dev.mailroom.sign.DkimKeyring;
import dev.mailroom.sign.MessageSigning;
import dev.mailroom.budget.Deadline;
import dev.mailroom.compose.AttachmentStore;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.compose.S3AttachmentStore;
import dev.mailroom.deliver.Composition;
import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.deliver.DeliveryReport;
import dev.mailroom.deliver.SmtpSettings;
import dev.mailroom.deliver.TlsPolicy;
import dev.mailroom.job.Envelope;
import dev.mailroom.job.S3Location;
import dev.mailroom.job.SendJob;
import dev.mailroom.resolve.DnsMxResolver;
import dev.mailroom.resolve.MxResolver;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Delivery engines wired to the in-process DNS and S3 servers, as production wires them to the real ones. */
public final class TestEngines {

    private TestEngines() {
    }

    /** MX-mode settings for a test: the SMTP servers' shared port, short timeouts, no TLS unless asked. */
    public static SmtpSettings mxSettings(int smtpPort) {
        return SmtpSettings.mx("mailroom.test").withPort(smtpPort).withTls(TlsPolicy.OPPORTUNISTIC, null)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    /** Starts the shared S3 server only when a test actually reads an attachment. */
    private static final class LazyS3Store implements AttachmentStore {
        private AttachmentStore store;

        private synchronized AttachmentStore store() {
            if (store == null) {
                store = new S3AttachmentStore(S3TestServer.shared().client());
            }
            return store;
        }

        @Override
        public long size(S3Location location) {
            return store().size(location);
        }

        @Override
        public InputStream open(S3Location location) throws IOException {
            return store().open(location);
        }

        @Override
        public AttachmentStore pinned() {
            return store().pinned();
        }
    }

    public static DeliveryEngine engine(SmtpSettings settings, DnsTestServer dns) {
        return engine(settings, dns, Clock.systemUTC());
    }

    /** An engine reading stored attachments and raw messages from {@code store}. */
    public static DeliveryEngine engine(SmtpSettings settings, DnsTestServer dns, AttachmentStore store) {
        return new DeliveryEngine(settings, resolver(dns), new MessageComposer(store, Clock.systemUTC()),
                MessageSigning.none(), Clock.systemUTC());
    }

    /** An engine that signs with {@code keys} (DKIM), reading stored parts from {@code store}. */
    public static DeliveryEngine signingEngine(SmtpSettings settings, DnsTestServer dns, AttachmentStore store,
                                               DkimKeyring keys, Clock clock) {
        return new DeliveryEngine(settings, resolver(dns), new MessageComposer(store, clock),
                new MessageSigning(() -> keys, clock), clock);
    }

    /** An engine whose timestamps are all on {@code clock}. */
    public static DeliveryEngine engine(SmtpSettings settings, DnsTestServer dns, Clock clock) {
        return engine(settings, resolver(dns), clock);
    }

    /** An engine that finds MX hosts with {@code resolver}. */
    public static DeliveryEngine engine(SmtpSettings settings, MxResolver resolver) {
        return engine(settings, resolver, Clock.systemUTC());
    }

    private static DeliveryEngine engine(SmtpSettings settings, MxResolver resolver, Clock clock) {
        return new DeliveryEngine(settings, resolver, new MessageComposer(new LazyS3Store(), clock),
                MessageSigning.none(), clock);
    }

    /**
     * Composes {@code job} and delivers it to {@code envelope}, with a day to do it in: no deadline
     * beyond the SMTP timeouts, in practice.
     */
    public static DeliveryReport send(DeliveryEngine engine, SendJob job, Envelope envelope) {
        return send(engine, job, envelope, Deadline.in(Duration.ofDays(1), Clock.systemUTC()));
    }

    /**
     * Composes {@code job} and delivers it to {@code envelope} under {@code deadline}, as the job
     * processor does; transactions that end early are not listened to (the report has them all).
     */
    public static DeliveryReport send(DeliveryEngine engine, SendJob job, Envelope envelope, Deadline deadline) {
        return deliver(engine, engine.compose(TestJobs.parsed(job)), envelope, deadline);
    }

    /** Delivers a message composed already, as {@link #send(DeliveryEngine, SendJob, Envelope, Deadline)} does. */
    public static DeliveryReport deliver(DeliveryEngine engine, Composition composition, Envelope envelope,
                                         Deadline deadline) {
        return engine.deliver(composition, envelope, deadline, (messageId, results) -> {
        });
    }

    /** The production resolver, asking {@code dns} with a 2 s timeout. */
    private static MxResolver resolver(DnsTestServer dns) {
        return DnsMxResolver.create(List.of(dns.address()), Duration.ofSeconds(2));
    }
}
