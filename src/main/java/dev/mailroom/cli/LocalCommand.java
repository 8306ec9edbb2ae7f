package dev.mailroom.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mailroom local}: the whole stack on local emulators. That stack lives in the test sources
 * (it is built from the test servers), so it is found by name and exists only in a source checkout.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Runs Mailroom on local emulators (from a source checkout).")
final class LocalCommand implements Callable<Integer> {

    static final String LOCAL_STACK_MAIN = "dev.mailroom.local.LocalStackMain";

    @Spec
    CommandSpec spec;

    @Option(names = "--serve", description = "Keep the stack running after the demo.")
    boolean serve;

    private final String mainClass;

    LocalCommand() {
        this(LOCAL_STACK_MAIN);
    }

    LocalCommand(String mainClass) {
        this.mainClass = mainClass;
    }

    @Override
    public Integer call() throws Exception {
        Method main;
        try {
            main = Class.forName(mainClass).getMethod("main", String[].class);
        } catch (ClassNotFoundException e) {
            spec.commandLine().getErr().println(notAvailable());
            return 1;
        }
        try {
            main.invoke(null, (Object) (serve ? new String[] {"--serve"} : new String[0]));
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return 0;
    }

    static String notAvailable() {
        return "mailroom: the local stack is not part of this build; run it from a source checkout with ./mvnw -q -Plocal";
    }
}
