package dev.mailroom.run;

import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.outbox.Outbox;
import dev.mailroom.retry.DeadLetters;

/**
 * The stages a job walks through, in order: intake, the ledger's claim, the suppression list,
 * delivery, and the DLQ for those that end there; the outbox keeps and publishes the events of every
 * ledger write on the way.
 */
public record Stages(JobIntake intake, Ledger ledger, DeliveryEngine engine, DeadLetters deadLetters,
                     Suppressions suppressions, Outbox outbox) {

    /** Publishing no events. */
    public Stages(JobIntake intake, Ledger ledger, DeliveryEngine engine, DeadLetters deadLetters,
                  Suppressions suppressions) {
        this(intake, ledger, engine, deadLetters, suppressions, Outbox.none());
    }

    /** Without a suppression list, publishing no events. */
    public Stages(JobIntake intake, Ledger ledger, DeliveryEngine engine, DeadLetters deadLetters) {
        this(intake, ledger, engine, deadLetters, Suppressions.none());
    }
}
