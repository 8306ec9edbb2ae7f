package dev.mailroom.wiring;

import java.util.function.Supplier;

/**
 * The keys, read on first use and then kept for the container's life. A read that fails is not
 * kept: the next use tries again (a throttled secret read, say), and says why if it fails again.
 */
final class SendKeysOnce implements Supplier<SendKeys> {

    private final Supplier<SendKeys> read;
    private volatile SendKeys keys;

    SendKeysOnce(Supplier<SendKeys> read) {
        this.read = read;
    }

    @Override
    public SendKeys get() {
        SendKeys current = keys;
        if (current == null) {
            synchronized (this) {
                current = keys;
                if (current == null) {
                    current = read.get();
                    keys = current;
                }
            }
        }
        return current;
    }
}
