package dev.mailroom.reliability;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a {@link FaultSmtpServer} does wrong, decided per event. The random implementation draws
 * from one seeded generator, so a run's fault mix is reproducible from its seed (the exact events
 * hit still depend on thread timing).
 */
interface SmtpFaults {

    /** An SMTP reply. */
    record Reply(int code, String text) {
    }

    /** What happens at the end of DATA. */
    sealed interface DataFault {
    }

    /** Store the message and answer 250. */
    record Accept() implements DataFault {
    }

    /** Read the whole message, store nothing, answer {@code reply}. */
    record Reject(Reply reply) implements DataFault {
    }

    /** Read {@code afterBytes} of the message (or all of it), then reset the connection: no reply. */
    record Drop(long afterBytes) implements DataFault {
    }

    /** @return null for the 220 greeting, else the reply that replaces it (and ends the session) */
    Reply atGreeting();

    /** @return null to accept the recipient */
    Reply atRecipient(String address);

    DataFault atData();

    /** No faults at all, except permanent rejections of {@code bounce*} local parts. */
    static SmtpFaults none() {
        return new Random(0, 0, 0, 0, 0);
    }

    /**
     * Seeded random faults. Recipients whose local part starts with {@code bounce} are always refused
     * with {@code 550 5.1.1} (a permanent failure the ledger must show with its reason).
     */
    final class Random implements SmtpFaults {
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
        Random(double greetingRate, double recipientRate, double dataRejectRate, double dataDropRate, long seed) {
            this.greetingRate = greetingRate;
            this.recipientRate = recipientRate;
            this.dataRejectRate = dataRejectRate;
            this.dataDropRate = dataDropRate;
            this.random = new SplittableRandom(seed);
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
}
