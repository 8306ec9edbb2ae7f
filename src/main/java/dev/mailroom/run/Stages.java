package dev.mailroom.run;

import dev.mailroom.deliver.DeliveryEngine;
import dev.mailroom.intake.JobIntake;
import dev.mailroom.ledger.Ledger;
import dev.mailroom.retry.DeadLetters;

/**
 * The stages a job walks through, in order: intake, the ledger's claim, the suppression list,
 * delivery, and the DLQ for those that end there.
 */
public record Stages(JobIntake intake, Ledger ledger, DeliveryEngine engine, DeadLetters deadLetters,
                     Suppressions suppressions) {

    /** Without a suppression list. */
    public Stages(JobIntake intake, Ledger ledger, DeliveryEngine engine, DeadLetters deadLetters) {
        this(intake, ledger, engine, deadLetters, Suppressions.none());
    }
}
