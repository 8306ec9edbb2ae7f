package dev.mailroom.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.ledger.JobRecord;
import dev.mailroom.ledger.JobStatus;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Crash safety of a worker, proven by SIGKILL at chosen points of a delivery.
 *
 * <p>The guarantee under test: <b>nothing is ever lost</b> — a job whose worker dies is picked up
 * again once the dead worker's lease runs out, and ends DELIVERED — and <b>a recipient gets a second
 * copy only if its worker died between the receiving server's 250 and the ledger write that records
 * it</b>. Dying before RCPT or during DATA leaves the server with nothing, so the retry makes the one
 * and only copy.
 *
 * <p>Set-up: workers are child JVMs (the production wiring, see {@link ChildWorkerMain}) with a 12 s
 * lease, a 2 s queue visibility timeout and three of them alive at a time; every kill is followed by a
 * fresh worker. Bystander jobs share the killed workers' batches: their messages come back after the
 * visibility timeout and must be delivered once. The lease cannot be much shorter: a record is started
 * only with SendHandler's 5 s safety margin plus the connect and read timeouts (1 s + 3 s) left in the
 * batch budget (11 s), and that budget must stay below the lease.
 *
 * <p>The workers publish delivery events (an outbox in each ledger write, flushed after it), and two
 * more kill points fall in the flush: after the write, before the publish ({@code BEFORE_PUBLISH}: the
 * events must still come, from the next flush), and after the publish, before the ledger marks them
 * published ({@code BEFORE_MARK}: they come again, with the same ids). Once the run has settled and a
 * sweep has run, the published events de-duplicated by id are exactly the transitions the ledger
 * holds ({@link EventAudit}).
 */
class CrashSafetyTest {

    private static final int WORKERS_AT_A_TIME = 3;
    private static final String LARGE_ATTACHMENT = "att/6m";

    @Test
    void aWorkerKilledAnywhereShouldLoseNothingAndDuplicateOnlyBetweenThe250AndTheLedgerWrite() throws Exception {
        // Given: 7 jobs per kill point (35 kills), interleaved with 12 bystander jobs
        crashRun(7, 12, Duration.ofSeconds(150));
    }

    @Test
    @Tag("load")
    void sixtyKillsShouldLoseNothingAndDuplicateOnlyBetweenThe250AndTheLedgerWrite() throws Exception {
        // Given: 20 jobs per kill point (100 kills), interleaved with 30 bystander jobs
        crashRun(20, 30, Duration.ofSeconds(600));
    }

    private static void crashRun(int killsPerPhase, int bystanders, Duration limit) throws Exception {
        long cpuAtStart = ReliabilityRig.processCpuNanos();
        List<CrashPlan.Kill> kills = new ArrayList<>();
        Map<String, String> bodies = new LinkedHashMap<>();
        Map<String, List<String>> recipients = new LinkedHashMap<>();
        ReliabilityRig[] rigHolder = new ReliabilityRig[1];
        for (int i = 0; i < killsPerPhase; i++) {
            for (CrashPlan.Phase phase : CrashPlan.Phase.values()) {
                String jobId = "crash-" + phase.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-" + i;
                String recipient = jobId + "@alpha.test";
                kills.add(new CrashPlan.Kill(jobId, recipient, phase));
                recipients.put(jobId, List.of(recipient));
            }
            if (i < bystanders) {
                recipients.put("bystander-" + i, List.of("b-" + i + "@alpha.test", "b-" + i + "@beta.test"));
            }
        }
        for (int i = killsPerPhase; i < bystanders; i++) {
            recipients.put("bystander-" + i, List.of("b-" + i + "@gamma.test"));
        }
        CrashPlan plan = new CrashPlan(kills, helo -> rigHolder[0].workerByHelo(helo).orElseThrow().kill());
        ReliabilityRig.Options options = new ReliabilityRig.Options();
        options.phases = plan;
        options.dynamoPolicy = plan;
        options.sqsPolicy = plan;
        options.visibilityTimeoutSeconds = 2;
        options.leaseSeconds = 12;
        options.batchTimeoutSeconds = 11;
        options.readTimeout = "3s";
        // One job in flight per worker, so that each kill hits its planned job at its planned point and no
        // other (with a batch in parallel, a kill also cuts the batch's other jobs wherever they are: what
        // LoadWithFaultsTest covers, with its audit of every duplicate).
        options.parallelJobs = 1;

        try (ReliabilityRig rig = new ReliabilityRig("crash", options)) {
            rigHolder[0] = rig;
            rig.pipeline.upload(LARGE_ATTACHMENT, new byte[6 * 1024 * 1024]);
            Set<String> large = kills.stream().filter(k -> k.phase == CrashPlan.Phase.DURING_DATA)
                    .map(k -> k.jobId).collect(Collectors.toSet());
            recipients.forEach((jobId, to) -> bodies.put(jobId, body(jobId, to, large.contains(jobId)
                    ? rig.pipeline.bucket : null)));
            rig.enqueue(new ArrayList<>(bodies.values()));
            long start = System.nanoTime();

            // When: workers run, each killed at its planned point and replaced, until the queue is empty
            boolean settled = runUntilEmpty(rig, kills, limit);
            double seconds = (System.nanoTime() - start) / 1e9;
            rig.workers().forEach(w -> w.stop(5));
            // ... and the sweeper publishes what no flush did
            int swept = rig.sweepEvents();

            // Then
            Map<DeliveredCopies.Key, List<DeliveredCopies.Copy>> copies = rig.copies.byJobAndRecipient();
            List<EventAudit.Published> published = rig.takeEvents();
            EventAudit.Result events = EventAudit.judge(recipients.keySet(), rig::ledger, published, swept);
            String report = report(rig, kills, copies, seconds, ReliabilityRig.processCpuNanos() - cpuAtStart)
                    + eventReport(kills, events, published);
            System.out.println(report);
            Files.writeString(rig.logDirectory.resolve("report.txt"), report);
            assertThat(settled).as("queue empty in time\n" + report).isTrue();
            assertThat(kills).as(report).allSatisfy(kill -> assertThat(kill.killedWorker).isNotNull());
            for (Map.Entry<String, List<String>> job : recipients.entrySet()) {
                JobRecord record = rig.ledger(job.getKey()).orElseThrow(() -> new AssertionError("no ledger item for "
                        + job.getKey() + "\n" + report));
                assertThat(record.status()).as(job.getKey() + "\n" + report).isEqualTo(JobStatus.DELIVERED);
            }
            for (CrashPlan.Kill kill : kills) {
                List<DeliveredCopies.Copy> got = copies.getOrDefault(DeliveredCopies.Key.of(kill.jobId, kill.recipient),
                        List.of());
                int expected = kill.phase == CrashPlan.Phase.AFTER_250 ? 2 : 1;
                assertThat(got).as(kill.phase + " " + kill.jobId + "\n" + report).hasSize(expected);
                if (kill.phase.inOutbox()) {
                    continue; // killed after the ledger write: its one copy is usually the dying worker's (another's flush may come first)
                }
                // The copy that survives a kill before the 250 is never the dying worker's.
                assertThat(got.get(got.size() - 1).helo()).as(kill.jobId).isNotEqualToIgnoringCase(kill.killedWorker);
                if (kill.phase == CrashPlan.Phase.AFTER_250) {
                    assertThat(got.get(0).helo()).as(kill.jobId).isEqualToIgnoringCase(kill.killedWorker);
                    assertThat(kill.ledgerWriteDropped).as(kill.jobId).isTrue();
                    // Every attempt sends the same Message-ID, so a receiver can discard the second copy.
                    assertThat(got.get(1).messageId()).as(kill.jobId).isEqualTo(got.get(0).messageId());
                    assertThat(got.get(0).messageId()).as(kill.jobId)
                            .isEqualTo(rig.ledger(kill.jobId).orElseThrow().messageId());
                }
            }
            recipients.keySet().stream().filter(id -> id.startsWith("bystander-")).forEach(id ->
                    recipients.get(id).forEach(r -> assertThat(copies.getOrDefault(DeliveredCopies.Key.of(id, r),
                            List.of())).as(id + " " + r).hasSize(1)));
            assertEventsSurvivedTheOutboxKills(kills, published, report);
            assertThat(events.problems()).as(report).isEmpty();
        }
    }

    /**
     * A publish dropped with its sender still reached the queue, from the next flush; a publish whose
     * mark was dropped reached it twice (the item still held the events: the next flush sent them again).
     */
    private static void assertEventsSurvivedTheOutboxKills(List<CrashPlan.Kill> kills,
                                                           List<EventAudit.Published> published, String report) {
        Map<String, Long> copiesById = published.stream().collect(Collectors.groupingBy(
                EventAudit.Published::eventId, Collectors.counting()));
        for (CrashPlan.Kill kill : kills) {
            if (!kill.phase.inOutbox()) {
                continue;
            }
            long atLeast = kill.phase == CrashPlan.Phase.BEFORE_MARK ? 2 : 1;
            assertThat(kill.droppedFlush).as(kill.phase + " " + kill.jobId + " dropped a flush\n" + report)
                    .isNotEmpty();
            assertThat(kill.droppedFlush).as(kill.phase + " " + kill.jobId + " copies per id\n" + report)
                    .allSatisfy(id -> assertThat(copiesById.getOrDefault(id, 0L)).isGreaterThanOrEqualTo(atLeast));
        }
    }

    /** The event ids of the flush requests the kills of {@code phase} dropped. */
    private static List<String> droppedFlushes(List<CrashPlan.Kill> kills, CrashPlan.Phase phase) {
        return kills.stream().filter(k -> k.phase == phase).flatMap(k -> k.droppedFlush.stream()).toList();
    }

    private static String eventReport(List<CrashPlan.Kill> kills, EventAudit.Result events,
                                      List<EventAudit.Published> published) {
        Map<String, Long> copiesById = published.stream().collect(Collectors.groupingBy(
                EventAudit.Published::eventId, Collectors.counting()));
        List<String> unpublished = droppedFlushes(kills, CrashPlan.Phase.BEFORE_PUBLISH);
        List<String> unmarked = droppedFlushes(kills, CrashPlan.Phase.BEFORE_MARK);
        long cameLater = unpublished.stream().filter(copiesById::containsKey).count();
        long copiesOfUnmarked = unmarked.stream().mapToLong(id -> copiesById.getOrDefault(id, 0L)).sum();
        StringBuilder text = new StringBuilder("events: ").append(events.summary()).append('\n');
        text.append(String.format("outbox kills: BEFORE_PUBLISH dropped publishes of %d events, %d of them on the queue"
                + " all the same (from a later flush); BEFORE_MARK dropped the marks of %d published events, %d copies"
                + " of them on the queue%n", unpublished.size(), cameLater, unmarked.size(), copiesOfUnmarked));
        events.problems().stream().limit(20).forEach(f -> text.append("EVENTS ").append(f).append('\n'));
        return text.toString();
    }

    /** Keeps three workers alive (replacing killed ones) until every kill happened and the queue is empty. */
    private static boolean runUntilEmpty(ReliabilityRig rig, List<CrashPlan.Kill> kills, Duration limit)
            throws InterruptedException {
        List<WorkerProcess> live = new ArrayList<>();
        for (int i = 0; i < WORKERS_AT_A_TIME; i++) {
            live.add(rig.startWorker());
        }
        long deadline = System.nanoTime() + limit.toNanos();
        int emptyChecks = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(100);
            for (int i = 0; i < live.size(); i++) {
                if (!live.get(i).isAlive()) {
                    live.set(i, rig.startWorker());
                }
            }
            boolean allKilled = kills.stream().allMatch(k -> k.killedWorker != null);
            emptyChecks = allKilled && rig.queueEmpty() ? emptyChecks + 1 : 0;
            if (emptyChecks >= 2) {
                return true;
            }
        }
        return false;
    }

    private static String body(String jobId, List<String> to, String largeAttachmentBucket) {
        StringBuilder json = new StringBuilder("{\"version\":1,\"jobId\":\"" + jobId + "\",\"from\":\""
                + ReliabilityRig.SENDER + "\",\"to\":[");
        json.append(to.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(",")));
        json.append("],\"subject\":\"Crash ").append(jobId).append("\",\"text\":\"Body of ").append(jobId)
                .append("\",\"headers\":{\"").append(DeliveredCopies.JOB_HEADER).append("\":\"").append(jobId)
                .append("\"}");
        if (largeAttachmentBucket != null) {
            // ~8 MB on the wire, twice what the sender's socket buffer can take (tcp_wmem max 4 MB): still
            // streaming when the kill lands, so the server never sees the end of DATA.
            json.append(",\"attachments\":[{\"filename\":\"big.bin\",\"contentType\":\"application/octet-stream\","
                    + "\"s3\":{\"bucket\":\"").append(largeAttachmentBucket).append("\",\"key\":\"")
                    .append(LARGE_ATTACHMENT).append("\"}}]");
        }
        return json.append('}').toString();
    }

    private static String report(ReliabilityRig rig, List<CrashPlan.Kill> kills,
                                 Map<DeliveredCopies.Key, List<DeliveredCopies.Copy>> copies, double seconds,
                                 long testCpuNanos) {
        Map<CrashPlan.Phase, Integer> killed = new LinkedHashMap<>();
        Map<CrashPlan.Phase, Integer> duplicated = new LinkedHashMap<>();
        for (CrashPlan.Kill kill : kills) {
            if (kill.killedWorker != null) {
                killed.merge(kill.phase, 1, Integer::sum);
            }
            int got = copies.getOrDefault(DeliveredCopies.Key.of(kill.jobId, kill.recipient), List.of()).size();
            duplicated.merge(kill.phase, got > 1 ? 1 : 0, Integer::sum);
        }
        List<WorkerProcess> workers = rig.workers();
        String killTimes = workers.stream().filter(w -> w.killedAt() > 0).mapToLong(WorkerProcess::killedAt).sorted()
                .mapToObj(t -> String.format("%.1f", (t - workers.get(0).startedAt()) / 1e3))
                .collect(Collectors.joining(" "));
        double startUp = workers.stream().filter(w -> w.readyAt() > 0)
                .mapToLong(w -> w.readyAt() - w.startedAt()).average().orElse(0) / 1e3;
        String duplicateIds = kills.stream().filter(k -> k.phase == CrashPlan.Phase.AFTER_250).limit(3)
                .map(k -> copies.getOrDefault(DeliveredCopies.Key.of(k.jobId, k.recipient), List.of()).stream()
                        .map(DeliveredCopies.Copy::messageId).toList().toString())
                .collect(Collectors.joining(" ", "", "\n"));
        long lost = copies.isEmpty() ? 0 : kills.stream().filter(k -> !copies.containsKey(
                DeliveredCopies.Key.of(k.jobId, k.recipient))).count();
        return "=== Crash safety: SIGKILL at chosen points ===\n"
                + "kills by phase " + killed + ", duplicates by phase " + duplicated + ", kill jobs never received "
                + lost + "\n" + "worker processes started " + rig.workers().size() + ", copies received "
                + rig.copies.size() + ", wall " + String.format("%.1f s", seconds) + "\n"
                + String.format("worker start-up %.1f s on average (class sharing %s); kills at [s] %s%n", startUp,
                        rig.launch.sharesClasses() ? "on" : "off", killTimes)
                + String.format("CPU: workers %.1f s, test JVM %.1f s%n",
                        workers.stream().mapToLong(WorkerProcess::cpuMillis).sum() / 1e3, testCpuNanos / 1e9)
                + "Message-IDs of the duplicated copies (the same in every attempt): " + duplicateIds
                + "logs: " + rig.logDirectory.toAbsolutePath() + "\n";
    }
}
