package dev.ovserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"serve", "generate", "bench", "convert", "random-model", "quality"})
    void everySubcommandPrintsItsUsageOnHelp(String command) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), command, "--help");
        assertEquals(0, status, err.toString());
        assertTrue(out.toString().startsWith("Usage: ovserve " + command), out.toString());
        assertTrue(err.toString().isEmpty(), err.toString());
    }
}
