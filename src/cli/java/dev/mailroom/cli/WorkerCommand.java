package dev.mailroom.cli;

import dev.mailroom.worker.WorkerMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code mailroom worker}: worker mode, the send handler polling the queue from a long-running process. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Runs worker mode: polls the send queue and delivers, as the function does.",
                "For hosts where port 25 is open. Configured by the function's MAILROOM_* variables (see the README).",
                "SIGTERM or Ctrl-C finishes the batch in hand, then exits."})
final class WorkerCommand implements Callable<Integer> {

    @ParentCommand
    MailroomCli parent;

    @Override
    public Integer call() throws Exception {
        WorkerMain.run(parent.environment());
        return 0;
    }
}
