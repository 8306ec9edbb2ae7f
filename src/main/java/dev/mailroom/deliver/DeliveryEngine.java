package dev.mailroom.deliver;

import dev.mailroom.budget.Deadline;
import dev.mailroom.compose.AttachmentException;
import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.compose.MessageComposer;
import dev.mailroom.job.Envelope;
import dev.mailroom.job.ParsedJob;
import dev.mailroom.resolve.MxResolver;
import dev.mailroom.sign.DkimException;
import dev.mailroom.sign.MessageSigning;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers one message to a set of recipients and says what happened to each: {@link #compose}
 * builds the message once per attempt and signs it (DKIM, {@link MessageSigning}), {@link #deliver(Composition, Envelope, Deadline,
 * TransactionListener)} sends it to the envelope intake parsed (the job's address strings are
 * never parsed again here).
 *
 * <p>Recipients are grouped by domain (MX mode) or sent together (relay mode), in transactions of
 * at most {@link SmtpSettings#maxRecipientsPerTransaction()} recipients; transactions run in
 * parallel up to {@link SmtpSettings#maxParallelTransactions()}. The engine never throws for a
 * delivery failure: every recipient gets an {@link Outcome}.
 *
 * <p>After a transaction that delivered to every recipient, its connection is kept for a while
 * for the next message to the same server ({@link SmtpSettings#connectionReuse()}).
 *
 * <p>Thread-safe; build one per container and reuse it, so DNS answers stay cached and
 * connections can be reused.
 */
public final class DeliveryEngine implements AutoCloseable {

    private final MessageComposer composer;
    private final MessageSigning signing;
    private final DomainDelivery domains;
    private final SmtpSettings settings;
    private final Clock clock;
    private final ExecutorService transactions;
    private final ScheduledExecutorService timers;
    private final ConnectionPool connections;

    public DeliveryEngine(SmtpSettings settings, MxResolver resolver, MessageComposer composer,
                          MessageSigning signing, Clock clock) {
        this.settings = settings;
        this.composer = composer;
        this.signing = signing;
        this.clock = clock;
        this.transactions = Executors.newFixedThreadPool(settings.maxParallelTransactions(), daemon("mailroom-smtp"));
        // Angus schedules a timeout per socket write and cancels it when the write returns;
        // without remove-on-cancel every cancelled task would linger for the whole timeout.
        ScheduledThreadPoolExecutor timeouts = new ScheduledThreadPoolExecutor(1, daemon("mailroom-timer"));
        timeouts.setRemoveOnCancelPolicy(true);
        this.timers = timeouts;
        this.connections = new ConnectionPool(settings.connectionReuse(), settings.maxParallelTransactions(), clock);
        ConnectionReuse reuse = settings.connectionReuse();
        if (reuse.enabled()) {
            // Idle connections close between 1 and 1.5 idle limits after their last transaction.
            long periodMillis = Math.max(10, reuse.idleLimit().toMillis() / 2);
            timers.scheduleWithFixedDelay(connections::closeIdle, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }
        SmtpTransaction transaction = new SmtpTransaction(settings, new TlsContexts(settings.trustStore()), timers,
                connections);
        this.domains = new DomainDelivery(settings, resolver, transaction);
    }

    /**
     * Composes the job's message once per attempt and signs it (pass one of DKIM's two, which reads
     * the whole message, stored parts included); every transaction of the attempt sends it. A stored
     * part that cannot be read, or a message that cannot be signed, is an outcome, not an exception.
     */
    public Composition compose(ParsedJob job) {
        try {
            return new Composition.Ready(signing.sign(composer.compose(job), job));
        } catch (AttachmentException e) {
            return new Composition.Unsendable(OutcomeClassifier.ofAttachmentFailure(e));
        } catch (DkimException e) {
            return new Composition.Unsendable(OutcomeClassifier.ofSigningFailure(e));
        } catch (IOException | MessagingException e) {
            // Signing read the message: a stored part's failure arrives wrapped by the MIME writer.
            return new Composition.Unsendable(OutcomeClassifier.ofUnreadableMessage(e));
        }
    }

    /**
     * @param composition the job's message, from {@link #compose}
     * @param envelope    the sender, and the recipients still to deliver (a subset of the job's on
     *                    retries), as intake normalised them
     * @param deadline    neither MX resolution nor any SMTP session outlives it: sessions still
     *                    running are cut (transient outcomes), hosts not yet tried are not tried
     * @param listener    told of each transaction that ends while others of the message still run
     *                    (the last one's results are in the report only)
     */
    public DeliveryReport deliver(Composition composition, Envelope envelope, Deadline deadline,
                                  TransactionListener listener) {
        List<InternetAddress> recipients = envelope.recipients();
        if (composition instanceof Composition.Unsendable unsendable) {
            return new DeliveryReport(null, recipients.stream()
                    .map(r -> new RecipientResult(r, unsendable.outcome(), Duration.ZERO)).toList());
        }
        Composition.Ready ready = (Composition.Ready) composition;
        ComposedMessage message = ready.message();
        List<List<InternetAddress>> groups = groups(recipients);
        AtomicInteger open = new AtomicInteger(groups.size());
        List<Future<List<RecipientResult>>> running = new ArrayList<>();
        for (List<InternetAddress> group : groups) {
            running.add(transactions.submit(() -> {
                List<RecipientResult> results = deliverGroup(group, ready, envelope.sender(), deadline);
                if (open.decrementAndGet() > 0) {
                    listener.ended(message.messageId(), results);
                }
                return results;
            }));
        }
        List<RecipientResult> results = new ArrayList<>();
        for (Future<List<RecipientResult>> transaction : running) {
            results.addAll(await(transaction));
        }
        return new DeliveryReport(message.messageId(), results);
    }

    private List<RecipientResult> deliverGroup(List<InternetAddress> group, Composition.Ready message,
                                               String envelopeFrom, Deadline deadline) {
        Instant start = clock.instant();
        DomainDelivery.Result result = domains.deliver(domainOf(group.get(0)), group, message.message(), envelopeFrom,
                deadline);
        Duration latency = Duration.between(start, clock.instant());
        return group.stream().map(r -> new RecipientResult(r, result.outcomes().get(r), latency, result.trail(),
                message.signedBy())).toList();
    }

    /** One group per domain in MX mode (all together for a relay), split at the per-transaction cap. */
    private List<List<InternetAddress>> groups(List<InternetAddress> recipients) {
        Map<String, List<InternetAddress>> byDomain = new LinkedHashMap<>();
        for (InternetAddress recipient : recipients) {
            String key = settings.relayMode() ? "" : domainOf(recipient);
            byDomain.computeIfAbsent(key, k -> new ArrayList<>()).add(recipient);
        }
        int cap = settings.maxRecipientsPerTransaction();
        List<List<InternetAddress>> groups = new ArrayList<>();
        for (List<InternetAddress> domain : byDomain.values()) {
            for (int from = 0; from < domain.size(); from += cap) {
                groups.add(domain.subList(from, Math.min(domain.size(), from + cap)));
            }
        }
        return groups;
    }

    private static List<RecipientResult> await(Future<List<RecipientResult>> transaction) {
        try {
            return transaction.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delivering", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("delivery failed unexpectedly", e.getCause());
        }
    }

    private static String domainOf(InternetAddress recipient) {
        String address = recipient.getAddress();
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Ends the transactions still running and closes the connections kept for reuse (QUIT). */
    @Override
    public void close() {
        connections.close();
        transactions.shutdownNow();
        timers.shutdownNow();
    }
}
