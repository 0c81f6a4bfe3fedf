package dev.ovserve.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "ovserve", mixinStandardHelpOptions = true, version = "ovserve 0.1.0",
        description = "LLM text generation on OpenVINO.",
        subcommands = {RandomModelCommand.class, ConvertCommand.class, GenerateCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line; user errors print a one-line message, not a stack trace. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("ovserve: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("ovserve.debug")) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }
}
