package io.antidote.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;

/** Runs the command line in-process and keeps what it wrote to picocli's out and err. */
final class Cli {
    final int code;
    final String out;
    final String err;

    private Cli(int code, String out, String err) {
        this.code = code;
        this.out = out;
        this.err = err;
    }

    static Cli run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Cli(code, o.toString(), e.toString());
    }

    /** What a command that must succeed printed to System.out, where commands print their results (picocli's out has only help). */
    static String stdout(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Cli r = run(args);
            if (r.code != 0) throw new AssertionError("exit " + r.code + ": " + r.err);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
