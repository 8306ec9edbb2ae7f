package dev.mailroom.ledger;

import dev.mailroom.testing.InMemorySuppressionList;

/** The test double {@link InMemorySuppressionList} meets the {@link SuppressionListContract}. */
class InMemorySuppressionListTest extends SuppressionListContract {

    @Override
    SuppressionList emptyList() {
        return new InMemorySuppressionList();
    }
}
