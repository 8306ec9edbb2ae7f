package dev.mailroom.reliability;

import dev.mailroom.testing.SmtpTestServerFaults;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the receiving MX hosts of the reliability tests do wrong: seeded random faults, drawn per
 * event from one generator, so a run's fault mix is reproducible from its seed (the exact events hit
 * still depend on thread timing). Recipients whose local part starts with {@code bounce} are always
 * refused with {@code 550 5.1.1} (a permanent failure the ledger must show with its reason).
 */
final class RandomSmtpFaults implements SmtpTestServerFaults {
    private final double greetingRate;
    private final double recipientRate;
    private final double dataRejectRate;
    private final double dataDropRate;
    private final SplittableRandom random;
    final AtomicInteger greetings421 = new AtomicInteger();
    final AtomicInteger recipients45x = new AtomicInteger();
    final AtomicInteger data451 = new AtomicInteger();
    final AtomicInteger dataDrops = new AtomicInteger();
    final AtomicInteger permanent550 = new AtomicInteger();

    /**
     * @param greetingRate   sessions answered 421 instead of 220
     * @param recipientRate  RCPTs answered 450 or 451
     * @param dataRejectRate DATA phases answered 451 at the end
     * @param dataDropRate   DATA phases cut by a connection reset
     */
    RandomSmtpFaults(double greetingRate, double recipientRate, double dataRejectRate, double dataDropRate, long seed) {
        this.greetingRate = greetingRate;
        this.recipientRate = recipientRate;
        this.dataRejectRate = dataRejectRate;
        this.dataDropRate = dataDropRate;
        this.random = new SplittableRandom(seed);
    }

    /** No faults at all, except permanent rejections of {@code bounce*} local parts. */
    static RandomSmtpFaults none() {
        return new RandomSmtpFaults(0, 0, 0, 0, 0);
    }

    private synchronized double roll() {
        return random.nextDouble();
    }

    private synchronized long below(long bound) {
        return random.nextLong(bound);
    }

    @Override
    public Reply atGreeting() {
        if (roll() < greetingRate) {
            greetings421.incrementAndGet();
            return new Reply(421, "4.3.2 Service not available, closing transmission channel");
        }
        return null;
    }

    @Override
    public Reply atRecipient(String address) {
        if (address.toLowerCase(Locale.ROOT).startsWith("bounce")) {
            permanent550.incrementAndGet();
            return new Reply(550, "5.1.1 No such user here");
        }
        double roll = roll();
        if (roll < recipientRate) {
            recipients45x.incrementAndGet();
            return roll < recipientRate / 2 ? new Reply(450, "4.2.0 Greylisted, try again later")
                    : new Reply(451, "4.3.0 Temporary local problem");
        }
        return null;
    }

    @Override
    public DataFault atData() {
        double roll = roll();
        if (roll < dataRejectRate) {
            data451.incrementAndGet();
            return new Reject(new Reply(451, "4.3.0 Queue file write error"));
        }
        if (roll < dataRejectRate + dataDropRate) {
            dataDrops.incrementAndGet();
            return new Drop(1 + below(32 * 1024));
        }
        return new Accept();
    }
}
