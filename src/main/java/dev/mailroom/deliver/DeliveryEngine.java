package dev.mailroom.deliver;

import dev.mailroom.budget.Deadline;
import dev.mailroom.compose.AttachmentException;
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
 * Delivers a job's message to a set of recipients and says what happened to each: {@link #compose}
 * builds the message once per attempt and signs it (DKIM, {@link MessageSigning}) — or what a message
 * per recipient shares ({@link Composition.PerRecipient}, each signed when made) —
 * {@link #deliver(Composition, Envelope, Deadline, TransactionListener)} sends it to the envelope
 * intake parsed (the job's address strings are never parsed again here).
 *
 * <p>Recipients are grouped by domain (MX mode) or sent together (relay mode), in transactions of
 * at most {@link SmtpSettings#maxRecipientsPerTransaction()} recipients; transactions run in
 * parallel up to {@link SmtpSettings#maxParallelTransactions()}. A per-recipient job's group sends
 * one transaction per recipient instead (so does every group of a job with a VERP return path per
 * recipient), one after another over the connection kept between them;
 * groups still run in parallel. The engine never throws for a delivery failure: every recipient
 * gets an {@link Outcome}.
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
     * the whole message, stored parts included); every transaction of the attempt sends it — or, for
     * a job whose recipients each get their own (RFC 8058 links naming them), what they share, each
     * recipient's message made and signed when its transaction comes. A stored part that cannot be
     * read, or a message that cannot be signed, is an outcome, not an exception.
     */
    public Composition compose(ParsedJob job) {
        try {
            if (job.isPerRecipient()) {
                String fromDomain = MessageSigning.fromDomainOf(job);
                return new Composition.PerRecipient(composer.composePerRecipient(job),
                        message -> signing.sign(message, job), fromDomain, signing.hasKeyFor(fromDomain));
            }
            return new Composition.Ready(signing.sign(composer.compose(job), job));
        } catch (AttachmentException | DkimException | IOException | MessagingException e) {
            return new Composition.Unsendable(unsendable(e));
        }
    }

    /** Why a message cannot be sent this attempt: its stored parts, or its signature (one place for both cases). */
    private static Outcome unsendable(Exception failure) {
        if (failure instanceof AttachmentException attachment) {
            return OutcomeClassifier.ofAttachmentFailure(attachment);
        }
        if (failure instanceof DkimException dkim) {
            return OutcomeClassifier.ofSigningFailure(dkim);
        }
        // Signing read the message: a stored part's failure arrives wrapped by the MIME writer.
        return OutcomeClassifier.ofUnreadableMessage(failure);
    }

    /**
     * @param composition the job's message, from {@link #compose}
     * @param envelope    the sender, and the recipients still to deliver (a subset of the job's on
     *                    retries), as intake normalised them
     * @param deadline    neither MX resolution nor any SMTP session outlives it: sessions still
     *                    running are cut (transient outcomes), hosts not yet tried are not tried
     * @param listener    told of each transaction that ends while others of the job still run
     *                    (the last one's results are in the report only)
     */
    public DeliveryReport deliver(Composition composition, Envelope envelope, Deadline deadline,
                                  TransactionListener listener) {
        List<InternetAddress> recipients = envelope.recipients();
        if (composition instanceof Composition.Unsendable unsendable) {
            return new DeliveryReport(null, recipients.stream()
                    .map(r -> new RecipientResult(r, unsendable.outcome(), Duration.ZERO)).toList());
        }
        String messageId = composition instanceof Composition.Ready ready ? ready.message().messageId()
                : ((Composition.PerRecipient) composition).messages().messageId();
        List<Lane> lanes = lanes(composition, envelope, groups(recipients));
        AtomicInteger open = new AtomicInteger(lanes.stream().mapToInt(lane -> lane.transactions().size()).sum());
        TransactionListener untilLast = (id, results) -> {
            if (open.decrementAndGet() > 0) {
                listener.ended(id, results);
            }
        };
        List<Future<List<RecipientResult>>> running = new ArrayList<>();
        for (Lane lane : lanes) {
            running.add(transactions.submit(() -> run(lane, messageId, deadline, untilLast)));
        }
        List<RecipientResult> results = new ArrayList<>();
        for (Future<List<RecipientResult>> transaction : running) {
            results.addAll(await(transaction));
        }
        return new DeliveryReport(messageId, results);
    }

    /**
     * Transactions run one after another, so that they share the connection kept after each
     * ({@link SmtpSettings#connectionReuse()}) rather than open one each to the same server.
     */
    private record Lane(List<Transaction> transactions) {
    }

    /**
     * Recipients, their reverse-path and the message they get; a per-recipient message is made, and
     * signed, when its turn comes.
     */
    private record Transaction(List<InternetAddress> recipients, String envelopeFrom, Message message) {
    }

    @FunctionalInterface
    private interface Message {
        MessageSigning.Signed get() throws IOException, MessagingException;
    }

    /**
     * One lane per group; a group is a lane of one transaction per recipient when each recipient has
     * a message of its own (RFC 8058 links naming them) or a reverse-path of its own (VERP,
     * {@link Envelope#perRecipientSenders()}).
     */
    private static List<Lane> lanes(Composition composition, Envelope envelope, List<List<InternetAddress>> groups) {
        if (composition instanceof Composition.Ready ready && !envelope.perRecipientSenders()) {
            return groups.stream().map(group -> new Lane(List.of(
                    new Transaction(group, envelope.sender(), ready::signed)))).toList();
        }
        return groups.stream().map(group -> new Lane(group.stream()
                .map(r -> new Transaction(List.of(r), envelope.senderFor(r), messageFor(composition, r))).toList()))
                .toList();
    }

    private static Message messageFor(Composition composition, InternetAddress recipient) {
        if (composition instanceof Composition.Ready ready) {
            return ready::signed;
        }
        Composition.PerRecipient perRecipient = (Composition.PerRecipient) composition;
        return () -> perRecipient.forRecipient(recipient);
    }

    /**
     * A lane's transactions in turn. Once one ends with the domain's outcome (unroutable, its hosts
     * down, the deadline near — not a server refusing one recipient's message for its size or its
     * address), the rest of the lane shares its outcome and trail rather than meet the same hosts
     * again; so does the rest of a lane whose recipient's message could not be made (a stored part
     * gone, a signature failed).
     */
    private List<RecipientResult> run(Lane lane, String messageId, Deadline deadline, TransactionListener listener) {
        List<RecipientResult> all = new ArrayList<>();
        List<Transaction> transactions = lane.transactions();
        for (int i = 0; i < transactions.size(); i++) {
            List<InternetAddress> group = transactions.get(i).recipients();
            Instant start = clock.instant();
            MessageSigning.Signed message;
            try {
                message = transactions.get(i).message().get();
            } catch (AttachmentException | DkimException | IOException | MessagingException e) {
                Outcome unsendable = unsendable(e);
                for (Transaction skipped : transactions.subList(i, transactions.size())) {
                    List<RecipientResult> same = skipped.recipients().stream()
                            .map(r -> new RecipientResult(r, unsendable, Duration.ZERO)).toList();
                    all.addAll(same);
                    listener.ended(messageId, same);
                }
                break;
            }
            DomainDelivery.Result result = domains.deliver(domainOf(group.get(0)), group, message.message(),
                    transactions.get(i).envelopeFrom(), deadline);
            Duration latency = Duration.between(start, clock.instant());
            List<RecipientResult> results = group.stream().map(r -> new RecipientResult(r, result.outcomes().get(r),
                    latency, result.trail(), message.signatures())).toList();
            all.addAll(results);
            listener.ended(messageId, results);
            if (result.domainWide()) {
                Outcome shared = results.get(0).outcome();
                for (Transaction skipped : transactions.subList(i + 1, transactions.size())) {
                    List<RecipientResult> same = skipped.recipients().stream()
                            .map(r -> new RecipientResult(r, shared, Duration.ZERO, result.trail(), List.of())).toList();
                    all.addAll(same);
                    listener.ended(messageId, same);
                }
                break;
            }
        }
        return all;
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
