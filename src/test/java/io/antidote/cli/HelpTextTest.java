package io.antidote.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelpTextTest {
    private static void collectUndocumented(CommandLine cl, String path, List<String> missing) {
        CommandSpec spec = cl.getCommandSpec();
        if (String.join("", spec.usageMessage().description()).isBlank()) missing.add(path + " (the command itself)");
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (ArgSpec a : args) {
            if (String.join("", a.description()).isBlank()) {
                missing.add(path + " " + (a.isOption() ? ((CommandLine.Model.OptionSpec) a).longestName() : a.paramLabel()));
            }
        }
        cl.getSubcommands().forEach((name, sub) -> collectUndocumented(sub, path + " " + name, missing));
    }

    @Test
    void everyCommandOptionAndParameterHasAHelpText() {
        List<String> missing = new ArrayList<>();
        collectUndocumented(new CommandLine(new Main()), "antidote", missing);
        assertEquals(List.of(), missing, "options without a description in --help");
    }

    private static void renderAll(CommandLine cl) {
        cl.getUsageMessage();
        cl.getSubcommands().values().forEach(HelpTextTest::renderAll);
    }

    @Test
    void everyHelpTextFormatsCleanly() {
        // picocli runs each text through String.format: a lone % leaves it unformatted and warns on stderr at every --help
        PrintStream old = System.err;
        ByteArrayOutputStream warned = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warned, true, StandardCharsets.UTF_8));
        try {
            renderAll(new CommandLine(new Main()));
        } finally {
            System.setErr(old);
        }
        assertEquals("", warned.toString(StandardCharsets.UTF_8));
    }

    @Test
    void sharedTextsShowTheCommandsOwnDefault() {
        Cli eval = Cli.run("eval", "--help");
        Cli abl = Cli.run("defend", "abl", "--help");
        assertEquals(0, eval.code);
        // eval defaults to fp32 and training commands to auto: one text, each command's default.
        assertTrue(eval.out.replaceAll("\\s+", " ").contains("channels-last tensors) (default: fp32)"), eval.out);
        assertTrue(abl.out.replaceAll("\\s+", " ").contains("channels-last tensors) (default: auto)"), abl.out);
    }
}
