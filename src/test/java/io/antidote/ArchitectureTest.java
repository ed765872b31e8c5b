package io.antidote;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Holds the sources to the layering the README promises: data flows one way, and only nn touches JavaCPP. */
class ArchitectureTest {
    private static final Path ROOT = Path.of("src", "main", "java", "io", "antidote");

    /** Each package and the project packages it may use; anything not listed is a higher layer. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "data", Set.of(),
            "nn", Set.of(),
            "attack", Set.of("data"),
            "train", Set.of("data", "nn", "attack"),
            "defense", Set.of("data", "nn", "attack", "train"),
            "eval", Set.of("data", "nn", "attack", "train", "defense"),
            "report", Set.of("data", "nn", "attack", "train", "defense", "eval"),
            "cli", Set.of("data", "nn", "attack", "train", "defense", "eval", "report"));

    private static final Pattern PROJECT_REF = Pattern.compile("\\bio\\.antidote\\.([a-z]+)\\.");

    private static List<Path> sources(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String packageOf(Path file) {
        Path rel = ROOT.relativize(file);
        return rel.getNameCount() == 1 ? "" : rel.getName(0).toString();
    }

    /** The source without comments and string literals, so that prose naming a package is not a use. */
    static String code(String src) {
        return src.replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\\n]*", " ")
                .replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"");
    }

    /** The project packages a source refers to, by import or fully qualified name. */
    static Set<String> uses(String src) {
        Set<String> out = new TreeSet<>();
        for (String line : code(src).split("\n")) {
            if (line.startsWith("package ")) continue;
            Matcher m = PROJECT_REF.matcher(line);
            while (m.find()) out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyPackageHasARuleAndTheRuleCheckerSeesImportsAndQualifiedNames() throws IOException {
        try (Stream<Path> s = Files.list(ROOT)) {
            Set<String> packages = new TreeSet<>(s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList());
            assertEquals(new TreeSet<>(ALLOWED.keySet()), packages, "a new package needs its place in the layering");
        }
        assertEquals(Set.of("nn", "report"), uses("""
                package io.antidote.cli;
                import io.antidote.nn.Engine;
                // io.antidote.defense.Abl in a comment is not a use
                class X { Object r = new io.antidote.report.HtmlReport(); String s = "io.antidote.eval.Metrics"; }
                """));
    }

    @Test
    void noPackageUsesAHigherLayer() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path f : sources(ROOT)) {
            String pkg = packageOf(f);
            if (pkg.isEmpty()) continue; // io.antidote itself holds shared pieces that use nothing else: the exceptions and the pickle reader
            for (String used : uses(Files.readString(f))) {
                if (!used.equals(pkg) && !ALLOWED.get(pkg).contains(used)) violations.add(ROOT.relativize(f) + " uses " + used);
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void onlyNnTouchesJavaCpp() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path f : sources(ROOT)) {
            if (!packageOf(f).equals("nn") && code(Files.readString(f)).contains("org.bytedeco")) violations.add(ROOT.relativize(f).toString());
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void nnOpensNativeScopesOnlyThroughStepScope() throws IOException {
        // a scope opened any other way is a step that a signal cannot wait for (see Interruption)
        List<String> violations = new ArrayList<>();
        for (Path f : sources(ROOT.resolve("nn"))) {
            if (!f.getFileName().toString().equals("StepScope.java") && code(Files.readString(f)).contains("new PointerScope(")) {
                violations.add(ROOT.relativize(f).toString());
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void theTopPackageDependsOnNothingInTheProject() throws IOException {
        for (Path f : sources(ROOT)) {
            if (packageOf(f).isEmpty()) assertEquals(Set.of(), uses(Files.readString(f)), f.toString());
        }
    }

    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^public (?:(?:final|abstract|sealed|non-sealed|static) )*(?:class|interface|record|enum|@interface) (\\w+)", Pattern.MULTILINE);

    @Test
    void everyPublicTopLevelTypeHasJavadoc() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path f : sources(ROOT)) {
            String src = Files.readString(f);
            Matcher m = PUBLIC_TYPE.matcher(src);
            while (m.find()) {
                // step back over annotations to the text just above the declaration
                String before = src.substring(0, m.start()).replaceAll("(?s)(\\s*@\\w+(?:\\([^)]*\\))?)+\\s*$", "").stripTrailing();
                int open = before.lastIndexOf("/**");
                if (!before.endsWith("*/") || open < 0 || before.indexOf("*/", open) != before.length() - 2) {
                    missing.add(ROOT.relativize(f) + " " + m.group(1));
                }
            }
        }
        assertEquals(List.of(), missing);
    }
}
