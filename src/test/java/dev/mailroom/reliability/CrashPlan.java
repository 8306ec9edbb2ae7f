package dev.mailroom.reliability;

import dev.mailroom.ledger.OutboxBatch;
import dev.mailroom.ledger.OutboxEvent;
import dev.mailroom.testing.SmtpTestServer;
import dev.mailroom.testing.SmtpTestServer.ReceivedMessage;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Which job's sender dies where. Each planned recipient names a {@link Phase}; the first time the
 * receiving server reaches that phase for it, the sending worker process is SIGKILLed from inside
 * the server's callback, so the kill lands at exactly that point of the SMTP dialogue.
 *
 * <p>For {@link Phase#AFTER_250} the ledger write that would record the delivery is held back at
 * the DynamoDB proxy until the kill has happened, then dropped: the kill is certain to fall between
 * the server's 250 and the ledger write, instead of racing it (the window is a few milliseconds).
 *
 * <p>The outbox's phases come after the ledger write, in the flush that follows it
 * ({@link OutboxRequests}): the flush's request is held at its proxy — the publish at the SQS proxy
 * for {@link Phase#BEFORE_PUBLISH}, the ledger's markPublished at the DynamoDB proxy for
 * {@link Phase#BEFORE_MARK} — while the worker that sent it (named by its User-Agent,
 * {@link WorkerProcess#nameOfSender}) is SIGKILLed, then dropped. Only the first such request of the
 * job is: its first flush, whoever makes it.
 */
final class CrashPlan implements SmtpTestServer.Phases, FaultHttpProxy.FaultPolicy {

    enum Phase {
        /** The RCPT TO arrived and is not answered yet: nothing was sent. */
        BEFORE_RCPT,
        /** DATA is streaming and its end is not there yet: the server keeps nothing. */
        DURING_DATA,
        /** The server stored the message and answered 250; the ledger does not know yet. */
        AFTER_250,
        /** The ledger holds the delivery and its events; they are not published yet. */
        BEFORE_PUBLISH,
        /** The events are published; the ledger item still holds them as pending. */
        BEFORE_MARK;

        /** A kill in the flush after the ledger write, not in the SMTP dialogue. */
        boolean inOutbox() {
            return this == BEFORE_PUBLISH || this == BEFORE_MARK;
        }
    }

    /** One planned kill; {@code killedWorker} is filled in when it happens. */
    static final class Kill {
        final String jobId;
        final String recipient;
        final Phase phase;
        final AtomicBoolean fired = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);
        volatile String killedWorker;
        volatile boolean ledgerWriteDropped;
        /** The events of the flush request dropped at an outbox kill; empty for the other phases. */
        volatile Set<String> droppedFlush = Set.of();

        Kill(String jobId, String recipient, Phase phase) {
            this.jobId = jobId;
            this.recipient = recipient.toLowerCase(Locale.ROOT);
            this.phase = phase;
        }
    }

    private static final FaultHttpProxy.CannedReply DROPPED = new FaultHttpProxy.CannedReply(500,
            "application/x-amz-json-1.0", "{\"__type\":\"com.amazon.coral.service#InternalFailure\","
            + "\"message\":\"not forwarded: the worker was killed before this request reached the emulator\"}",
            "dropped");

    private final Map<String, Kill> byRecipient = new ConcurrentHashMap<>();
    private final Map<String, Kill> byJob = new ConcurrentHashMap<>();
    /** The event ids of every publish seen, by the key of the batch they are. */
    private final Map<String, Set<String>> publishedBatches = new ConcurrentHashMap<>();
    private final Consumer<String> killer;

    /** @param killer SIGKILLs the worker with this EHLO name and returns when it is gone */
    CrashPlan(List<Kill> kills, Consumer<String> killer) {
        kills.forEach(kill -> {
            byRecipient.put(kill.recipient, kill);
            byJob.put(kill.jobId, kill);
        });
        this.killer = killer;
    }

    @Override
    public void recipient(String helo, String address) {
        fire(byRecipient.get(address.toLowerCase(Locale.ROOT)), Phase.BEFORE_RCPT, helo);
    }

    @Override
    public void dataStarted(String helo, List<String> recipients) {
        recipients.forEach(r -> fire(byRecipient.get(r.toLowerCase(Locale.ROOT)), Phase.DURING_DATA, helo));
    }

    @Override
    public void accepted(ReceivedMessage message) {
        message.recipients().forEach(r -> fire(byRecipient.get(r.toLowerCase(Locale.ROOT)), Phase.AFTER_250,
                message.helo()));
    }

    private void fire(Kill kill, Phase phase, String helo) {
        if (kill == null || kill.phase != phase || !kill.fired.compareAndSet(false, true)) {
            return;
        }
        killer.accept(helo);
        kill.killedWorker = helo;
        kill.done.countDown();
    }

    /**
     * Serves both proxies: holds an AFTER_250 job's first ledger write until its worker is dead, then
     * drops it; kills the sender of a BEFORE_PUBLISH job's first publish, or of a BEFORE_MARK job's
     * first markPublished, and drops that.
     */
    @Override
    public FaultHttpProxy.CannedReply decide(FaultHttpProxy.ProxyRequest request) {
        String body = request.bodyText();
        if (RandomAwsFaults.isRecord(body)) {
            return holdRecord(byJob.get(RandomAwsFaults.jobId(body)));
        }
        Optional<OutboxRequests.Flush> mark = OutboxRequests.markPublished(request);
        if (mark.isPresent()) {
            return killSender(request, eventsOf(mark.get()), Phase.BEFORE_MARK);
        }
        Optional<OutboxRequests.Flush> publish = OutboxRequests.publish(request);
        publish.ifPresent(flush -> publishedBatches.put(batchKey(flush.eventIds()), flush.eventIds()));
        return publish.map(flush -> killSender(request, flush, Phase.BEFORE_PUBLISH)).orElse(null);
    }

    /**
     * A markPublished names the batches it drops ({@link OutboxBatch#key}, a digest of their event
     * ids): their events, as the publishes seen so far carried them (a crash job's batch of one or
     * two events is one SendMessageBatch). A key no publish carried stays as it is, and fails the test.
     */
    private OutboxRequests.Flush eventsOf(OutboxRequests.Flush mark) {
        Set<String> ids = new TreeSet<>();
        mark.eventIds().forEach(key -> ids.addAll(publishedBatches.getOrDefault(key, Set.of(key))));
        return new OutboxRequests.Flush(mark.jobId(), ids);
    }

    private static String batchKey(Set<String> eventIds) {
        return OutboxBatch.of(eventIds.stream().map(id -> new OutboxEvent(id, "")).toList()).key();
    }

    /** Kills the worker that sent this flush request of a job planned for {@code phase}; null if none is. */
    private FaultHttpProxy.CannedReply killSender(FaultHttpProxy.ProxyRequest request, OutboxRequests.Flush flush,
                                                  Phase phase) {
        Kill kill = byJob.get(flush.jobId());
        Optional<String> sender = WorkerProcess.nameOfSender(request);
        if (kill == null || kill.phase != phase || sender.isEmpty() || !kill.fired.compareAndSet(false, true)) {
            return null;
        }
        String helo = WorkerProcess.heloName(sender.get());
        killer.accept(helo);
        kill.killedWorker = helo;
        kill.droppedFlush = flush.eventIds();
        kill.done.countDown();
        return DROPPED;
    }

    private FaultHttpProxy.CannedReply holdRecord(Kill kill) {
        if (kill == null || kill.phase != Phase.AFTER_250 || kill.ledgerWriteDropped) {
            return null;
        }
        try {
            if (!kill.done.await(30, TimeUnit.SECONDS)) {
                return null; // the kill never came: let the write through, and the test will say so
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        kill.ledgerWriteDropped = true;
        return DROPPED;
    }
}
