package dev.ovserve.server.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

// Inherited so every subcommand answers --help and --version too.
@Command(name = "ovserve", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "ovserve 0.1.0",
        description = "LLM text generation on OpenVINO.",
        subcommands = {RandomModelCommand.class, ConvertCommand.class, GenerateCommand.class, BenchCommand.class,
                ServeCommand.class, QualityCommand.class})
public final class Main {
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        int status = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs a command line; user errors print a one-line message, not a stack trace. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main()).setOut(out).setErr(err);
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
