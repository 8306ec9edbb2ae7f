package dev.mailroom.deliver;

import java.util.List;

/** The result of one delivery attempt of one message: its Message-ID and one result per recipient. */
public record DeliveryReport(String messageId, List<RecipientResult> results) {

    public DeliveryReport {
        results = List.copyOf(results);
    }

    public RecipientResult resultFor(String address) {
        return results.stream().filter(r -> r.address().equalsIgnoreCase(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no result for " + address));
    }
}
