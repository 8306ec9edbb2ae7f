package dev.mailroom.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.testing.SmtpTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One load run of {@link LoadWithFaultsTest}: the rig with its faults, the jobs (a few put on the
 * queue twice), worker processes kept alive and SIGKILLed at random instants, the wait for an empty
 * queue, the audit and the report.
 *
 * <p>The fault mix: SMTP 421 greetings (4 % of sessions), 450/451 to RCPT (3 %), 451 after DATA (3 %),
 * connection resets mid-DATA (2 %); DNS SERVFAIL (5 % of queries) and silence (1 %); S3 503 SlowDown
 * (5 % of requests); DynamoDB throttling (5 %) and, for a small fraction of the writes that record an
 * attempt, an outage that outlasts the SDK's retries; SQS redelivery (3 % of jobs sent twice, a 2 s
 * visibility timeout that returns messages still being worked on); worker processes SIGKILLed.
 *
 * <p>The workers publish their delivery events; once the queue is empty a sweep publishes what no
 * flush did, and {@link EventAudit} holds the events, de-duplicated by id, to the ledger's transitions.
 */
/** One load run: set-up, submission, chaos, the wait for an empty queue, and the audit. */
final class LoadRun {
    private final String name;
    private final int jobCount;
    private final long seed;
    private final int workerCount;
    private final int maxKills;
    private final Duration minKillInterval;
    private final Duration maxKillInterval;
    private final RandomSmtpFaults[] smtpFaults;
    private final RandomAwsFaults s3Faults;
    private final RandomAwsFaults dynamoFaults;
    private final Map<String, Long> lastDump = new HashMap<>();
    private final Set<String> backedOffLedgerWrites = new TreeSet<>();

    /**
     * @param recordOutageRate fraction of the ledger writes recording an attempt that meet a DynamoDB
     *                         outage (every SDK try throttled; the worker is stuck in backoff for up to a
     *                         minute, past its lease)
     */
    LoadRun(String name, int jobCount, long seed, int workerCount, int maxKills, Duration minKillInterval,
            Duration maxKillInterval, double recordOutageRate) {
        this.name = name;
        this.jobCount = jobCount;
        this.seed = seed;
        this.workerCount = workerCount;
        this.maxKills = maxKills;
        this.minKillInterval = minKillInterval;
        this.maxKillInterval = maxKillInterval;
        this.smtpFaults = new RandomSmtpFaults[ReliabilityRig.MX_ADDRESSES.size()];
        for (int i = 0; i < smtpFaults.length; i++) {
            // 421 greeting 4 %, 450/451 per RCPT 3 %, 451 after DATA 3 %, reset mid-DATA 2 %
            smtpFaults[i] = new RandomSmtpFaults(0.04, 0.03, 0.03, 0.02, seed + i);
        }
        this.s3Faults = RandomAwsFaults.s3SlowDown(0.05, seed ^ 0x53);
        // throttling of 5 % of requests (the SDK retries them), and outages
        this.dynamoFaults = RandomAwsFaults.dynamoThrottling(0.05, recordOutageRate, seed ^ 0xDD);
    }

    /** The figures of a finished run, and the verdict. */
    record Report(String text, DeliveryAudit.Result audit, EventAudit.Result events, int kills,
                  int jobsInFlightPerWorker, int unrecordedAttempts, List<String> problems) {
        void assertNothingLostNothingDuplicatedBeyondTheCrashWindow() {
            assertThat(problems).as(text).isEmpty();
            // The events, de-duplicated by id, are exactly the transitions the ledger holds; none left pending.
            assertThat(events.problems()).as(text).isEmpty();
            assertThat(audit.lost()).as(text).isEmpty();
            assertThat(audit.unexpected()).as(text).isEmpty();
            // Every copy carries the Message-ID the ledger holds: attempts never compose a new one.
            assertThat(audit.messageIdsDifferentFromLedger()).as(text).isZero();
            // Every duplicate comes from the window between a server's 250 and the ledger write: the worker
            // died there, or the write failed for good. So only jobs hit by such a kill or failure have any.
            assertThat(audit.unexplainedDuplicates()).as(text).isEmpty();
            long duplicatedJobs = audit.explainedDuplicates().stream().map(DeliveryAudit.Finding::jobId)
                    .distinct().count();
            // A kill catches at most the jobs its worker had in flight (MAILROOM_PARALLEL_JOBS).
            assertThat(duplicatedJobs).as(text).isLessThanOrEqualTo((long) kills * jobsInFlightPerWorker
                    + unrecordedAttempts);
        }
    }

    Report execute() throws Exception {
        ReliabilityRig.Options options = new ReliabilityRig.Options();
        options.seed = seed;
        options.smtpFaults = i -> smtpFaults[i];
        options.dnsServerFailureRate = 0.05;
        options.dnsDropRate = 0.01;
        options.s3Policy = s3Faults;
        options.dynamoPolicy = dynamoFaults;
        options.visibilityTimeoutSeconds = 2;
        options.leaseSeconds = 15;
        options.batchTimeoutSeconds = 14;
        options.readTimeout = "4s";
        options.maxAttempts = 40;
        try (ReliabilityRig rig = new ReliabilityRig(name, options)) {
            return run(rig);
        }
    }

    private Report run(ReliabilityRig rig) throws Exception {
        long cpuAtStart = ReliabilityRig.processCpuNanos();
        LoadJobs.attachmentObjects(seed).forEach(rig.pipeline::upload);
        List<LoadJobs.Job> jobs = LoadJobs.generate("j" + Long.toString(seed, 36), jobCount, rig.pipeline.bucket,
                seed);
        List<String> bodies = withDuplicates(jobs, new SplittableRandom(seed ^ 0x5150));
        int duplicateMessages = bodies.size() - jobs.size();

        long start = System.nanoTime();
        rig.enqueue(bodies);
        long enqueued = System.nanoTime();
        List<WorkerProcess> live = new ArrayList<>();
        for (int i = 0; i < workerCount; i++) {
            live.add(rig.startWorker());
        }
        List<String> problems = new ArrayList<>();
        int kills = chaos(rig, live, problems, Duration.ofSeconds(120).plusMillis(jobCount * 300L));
        long settled = System.nanoTime();
        live.forEach(w -> w.stop(5));
        int swept = rig.sweepEvents();

        EventAudit.Result events = EventAudit.judge(jobs.stream().map(LoadJobs.Job::jobId).toList(), rig::ledger,
                rig.takeEvents(), swept);
        List<Message> deadLetters = rig.pipeline.takeDeadLetters();
        List<DeliveryAudit.Expected> expected = jobs.stream().map(LoadRun::expected).toList();
        DeliveryAudit.Result audit = DeliveryAudit.judge(expected, rig::ledger, rig.copies, rig.workers(),
                Duration.ofSeconds(rig.options.batchTimeoutSeconds).toMillis(), dynamoFaults.unrecordedAttempts);
        for (Message deadLetter : deadLetters) {
            // Every payload on the DLQ must belong to a job the ledger shows dead-lettered (or rejected).
            String jobId = jobIdOf(deadLetter.body());
            boolean terminal = rig.ledger(jobId).map(j -> j.status().isTerminal()).orElse(false);
            if (!terminal) {
                problems.add("DLQ holds " + jobId + " but its ledger item is not terminal");
            }
        }
        String text = report(rig, jobs, duplicateMessages, kills, deadLetters.size(), audit, start, enqueued,
                settled, problems, ReliabilityRig.processCpuNanos() - cpuAtStart) + eventLines(events);
        System.out.println(text);
        Files.writeString(rig.logDirectory.resolve("report.txt"), text);
        return new Report(text, audit, events, kills, rig.options.parallelJobs, dynamoFaults.unrecordedAttempts.size(),
                problems);
    }

    private static String eventLines(EventAudit.Result events) {
        StringBuilder text = new StringBuilder("events: ").append(events.summary()).append('\n');
        events.problems().stream().limit(20).forEach(f -> text.append("EVENTS ").append(f).append('\n'));
        return text.toString();
    }

    /** About 3 % of jobs go on the queue twice: some right behind the original, some much later. */
    private static List<String> withDuplicates(List<LoadJobs.Job> jobs, SplittableRandom random) {
        List<String> bodies = new ArrayList<>();
        List<String> late = new ArrayList<>();
        for (LoadJobs.Job job : jobs) {
            bodies.add(job.body());
            int roll = random.nextInt(100);
            if (roll < 2) {
                bodies.add(job.body());
            } else if (roll < 3) {
                late.add(job.body());
            }
        }
        for (String body : late) {
            bodies.add(bodies.size() / 2 + random.nextInt(bodies.size() / 2 + 1), body);
        }
        return bodies;
    }

    /**
     * Keeps {@code workerCount} workers alive, SIGKILLs one at random every few seconds while the
     * queue has work (replacing it at once), until the queue is empty twice in a row.
     *
     * @return the number of kills
     */
    private int chaos(ReliabilityRig rig, List<WorkerProcess> live, List<String> problems, Duration limit)
            throws InterruptedException {
        SplittableRandom random = new SplittableRandom(seed ^ 0xC4A05);
        long deadline = System.nanoTime() + limit.toNanos();
        long nextKill = System.nanoTime() + interval(random);
        long nextCheck = System.nanoTime();
        boolean empty = false;
        int kills = 0;
        int emptyChecks = 0;
        while (emptyChecks < 2) {
            if (System.nanoTime() > deadline) {
                problems.add("the queue was not empty after " + limit.toSeconds() + " s");
                break;
            }
            // Wake for the next kill (a random instant, so kills land anywhere in a batch) or the next check.
            long wake = kills < maxKills ? Math.min(nextKill, nextCheck) : nextCheck;
            Thread.sleep(Math.max(1, (wake - System.nanoTime()) / 1_000_000));
            if (System.nanoTime() >= nextCheck) {
                replaceCrashedWorkers(rig, live, problems);
                watchForStuckWorkers(live, problems);
                empty = rig.queueEmpty();
                emptyChecks = empty ? emptyChecks + 1 : 0;
                nextCheck = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            }
            if (!empty && kills < maxKills && System.nanoTime() >= nextKill) {
                // Only a worker past its start-up has jobs in hand to lose.
                long now = System.currentTimeMillis();
                List<Integer> busy = new ArrayList<>();
                for (int i = 0; i < live.size(); i++) {
                    if (live.get(i).readyAt() > 0 && now - live.get(i).readyAt() >= 1_000) {
                        busy.add(i);
                    }
                }
                if (!busy.isEmpty()) {
                    int victim = busy.get(random.nextInt(busy.size()));
                    live.get(victim).kill();
                    live.set(victim, rig.startWorker());
                    kills++;
                }
                nextKill = System.nanoTime() + interval(random);
            }
        }
        return kills;
    }

    private static void replaceCrashedWorkers(ReliabilityRig rig, List<WorkerProcess> live, List<String> problems) {
        for (int i = 0; i < live.size(); i++) {
            WorkerProcess worker = live.get(i);
            if (!worker.isAlive() && worker.killedAt() == 0) {
                problems.add(worker.name() + " exited by itself:\n" + worker.tail(20));
                live.set(i, rig.startWorker());
            }
        }
    }

    /**
     * A worker in the middle of a job logs a line per recipient and attempt; one silent for 10 s is
     * either idle (long-polling a queue whose messages are all invisible) or stuck. Its stacks tell
     * which; a stuck one is reported with where it hangs (once per worker).
     */
    private void watchForStuckWorkers(List<WorkerProcess> live, List<String> problems) {
        long now = System.currentTimeMillis();
        for (WorkerProcess worker : live) {
            if (worker.readyAt() > 0 && now - worker.lastOutputAt() > 10_000
                    && now - lastDump.getOrDefault(worker.name(), 0L) > 10_000) {
                lastDump.put(worker.name(), now);
                Path dump = worker.dumpThreads();
                String main = mainThread(dump);
                if (!main.contains("dev.mailroom.run.JobProcessor")) {
                    continue; // idle: long-polling a queue whose messages are all invisible
                }
                if (main.contains("RetryableStage") && main.contains("DynamoDbLedger")) {
                    // The injected DynamoDB outage: the SDK backs off up to 20 s between tries.
                    backedOffLedgerWrites.add(worker.name());
                } else {
                    problems.add(worker.name() + " stuck in a job for 10 s+ (stacks in " + dump + "):\n" + main);
                }
            }
        }
    }

    private static String mainThread(Path dump) {
        try {
            String text = dump == null ? "" : Files.readString(dump);
            int start = text.indexOf("\"main\"");
            int end = start < 0 ? -1 : text.indexOf("\n\n", start);
            return start < 0 ? "" : text.substring(start, end < 0 ? text.length() : end);
        } catch (IOException e) {
            return "";
        }
    }

    private long interval(SplittableRandom random) {
        return minKillInterval.toNanos() + random.nextLong(maxKillInterval.toNanos() - minKillInterval.toNanos() + 1);
    }

    private static DeliveryAudit.Expected expected(LoadJobs.Job job) {
        Map<String, Boolean> mustFail = new LinkedHashMap<>();
        job.recipients().forEach(r -> mustFail.put(r.address(), r.mustFail()));
        return new DeliveryAudit.Expected(job.jobId(), mustFail);
    }

    private static String jobIdOf(String body) {
        int at = body.indexOf("\"jobId\":\"");
        return at < 0 ? "?" : body.substring(at + 9, body.indexOf('"', at + 9));
    }

    private String report(ReliabilityRig rig, List<LoadJobs.Job> jobs, int duplicateMessages, int kills,
                          int deadLetters, DeliveryAudit.Result audit, long start, long enqueued, long settled,
                          List<String> problems, long testCpuNanos) throws IOException {
        double seconds = (settled - start) / 1e9;
        long recipients = jobs.stream().mapToLong(j -> j.recipients().size()).sum();
        Map<String, Long> kinds = new LinkedHashMap<>();
        jobs.forEach(j -> kinds.merge(j.kind(), 1L, Long::sum));
        int greetings = 0;
        int rcpts = 0;
        int data451 = 0;
        int drops = 0;
        int permanent = 0;
        for (RandomSmtpFaults faults : smtpFaults) {
            greetings += faults.greetings421.get();
            rcpts += faults.recipients45x.get();
            data451 += faults.data451.get();
            drops += faults.dataDrops.get();
            permanent += faults.permanent550.get();
        }
        StringBuilder text = new StringBuilder();
        text.append("=== Reliability load run '").append(name).append("' seed=").append(seed)
                .append(" (rerun with -Dreliability.seed=").append(seed).append(") ===\n");
        text.append(String.format("jobs %d (%s), recipients %d, SQS messages %d (%d duplicates)%n", jobs.size(),
                kinds, recipients, jobs.size() + duplicateMessages, duplicateMessages));
        text.append(String.format("workers: %d at a time, %d processes started, %d SIGKILLed%n", workerCount,
                rig.workers().size(), kills));
        text.append(String.format("faults: SMTP 421 greeting %d, RCPT 450/451 %d, DATA 451 %d, reset mid-DATA %d"
                + " (and 550 to bounce-* %d); DNS SERVFAIL %d, DNS dropped %d (of %d queries);"
                + " S3 503 %d (on the SDK's last try %d of %d); DynamoDB throttled %d (on the last try %d of %d;"
                + " attempts whose outcome could not be recorded in time %d)%n", greetings, rcpts, data451, drops, permanent,
                rig.dnsProxy.serverFailures(), rig.dnsProxy.drops(), rig.dnsProxy.queries(), s3Faults.faults.get(),
                s3Faults.lastTryFaults.get(), s3Faults.maxAttemptsSeen.get(), dynamoFaults.faults.get(),
                dynamoFaults.lastTryFaults.get(), dynamoFaults.maxAttemptsSeen.get(),
                dynamoFaults.unrecordedAttempts.size()));
        text.append(String.format("proxies: S3 forwarded %d (upstream failures %d), DynamoDB forwarded %d"
                + " (upstream failures %d)%n", rig.s3Proxy.forwarded(), rig.s3Proxy.upstreamFailures(),
                rig.dynamoProxy.forwarded(), rig.dynamoProxy.upstreamFailures()));
        text.append(String.format("receivers: %d messages, %d recipient copies, %.1f MB; SMTP sessions %d%n",
                rig.copies.messages(), rig.copies.size(), rig.copies.bytes() / 1e6,
                rig.smtp.stream().mapToInt(SmtpTestServer::sessionsAccepted).sum()));
        if (!backedOffLedgerWrites.isEmpty()) {
            text.append("workers seen 10 s+ in the SDK's backoff on a ledger write (the injected outage): ")
                    .append(backedOffLedgerWrites).append('\n');
        }
        text.append(String.format("ledger: claims granted %d, refused %d (redelivered while leased or done);"
                + " DLQ messages %d%n", audit.claimsGranted(), dynamoFaults.forwardedClaims.get()
                - audit.claimsGranted(), deadLetters));
        text.append("audit: ").append(audit.summary()).append('\n');
        text.append(String.format("CPU: workers %.1f s (start-up %.1f s wall on average), test JVM %.1f s%n",
                rig.workers().stream().mapToLong(WorkerProcess::cpuMillis).sum() / 1e3,
                rig.workers().stream().filter(w -> w.readyAt() > 0).mapToLong(w -> w.readyAt() - w.startedAt())
                        .average().orElse(0) / 1e3, testCpuNanos / 1e9));
        text.append(String.format("wall %.1f s (enqueue %.1f s), %.1f jobs/s, %.1f recipients/s; job attempts %d%n",
                seconds, (enqueued - start) / 1e9, jobs.size() / seconds, recipients / seconds,
                rig.workers().stream().mapToInt(WorkerProcess::attempts).sum()));
        long t0 = rig.workers().get(0).startedAt();
        text.append("worker timeline [s] (start/ready/killed/last output, attempts):");
        for (WorkerProcess w : rig.workers()) {
            text.append(String.format(" %s %.1f/%.1f/%s/%.1f %d;", w.name(), (w.startedAt() - t0) / 1e3,
                    (w.readyAt() - t0) / 1e3, w.killedAt() > 0 ? String.format("%.1f", (w.killedAt() - t0) / 1e3)
                            : "-", (w.lastOutputAt() - t0) / 1e3, w.attempts()));
        }
        text.append('\n');
        audit.lost().stream().limit(20).forEach(f -> text.append("LOST ").append(f).append('\n'));
        audit.unexplainedDuplicates().stream().limit(20)
                .forEach(f -> text.append("UNEXPLAINED DUPLICATE ").append(f).append('\n'));
        audit.explainedDuplicates().stream().limit(20)
                .forEach(f -> text.append("duplicate ").append(f).append('\n'));
        audit.unexpected().stream().limit(20).forEach(f -> text.append("UNEXPECTED ").append(f).append('\n'));
        problems.forEach(p -> text.append("PROBLEM ").append(p).append('\n'));
        text.append("logs: ").append(rig.logDirectory.toAbsolutePath()).append('\n');
        return text.toString();
    }
}
