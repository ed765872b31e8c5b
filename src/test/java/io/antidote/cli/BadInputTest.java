package io.antidote.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class BadInputTest {
    private static final String TINY = "synthetic:1:20:10";

    /** Exit code 2 and exactly one line on stderr, naming what was wrong. */
    private static void refused(String expected, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.code, () -> "exit code; stderr: " + r.err);
        String line = r.err.strip();
        assertFalse(line.contains("\n"), () -> "more than one line: " + r.err);
        assertTrue(line.startsWith("antidote: "), line);
        assertTrue(line.contains(expected), () -> "'" + expected + "' not in: " + line);
        assertFalse(line.contains("Exception"), line);
    }

    @Test
    void unknownAttack(@TempDir Path dir) {
        Path run = dir.resolve("run");
        refused("--attack: unknown attack 'nope'; known: badnets", "train", "--data", TINY, "--attack", "nope", "--out", run.toString());
        assertFalse(Files.exists(run), "bad input must leave no run directory");
    }

    @Test
    void rateAboveOne(@TempDir Path dir) {
        Path run = dir.resolve("run");
        refused("--rate 1.5 is outside (0, 1]", "train", "--data", TINY, "--attack", "badnets", "--rate", "1.5", "--out", run.toString());
        assertFalse(Files.exists(run));
    }

    @Test
    void targetOutsideTheClasses(@TempDir Path dir) {
        refused("--target 12 is outside [0, 10)", "train", "--data", TINY, "--attack", "badnets", "--target", "12", "--out", dir.resolve("r").toString());
        refused("--target 12 is outside [0, 10)", "poison", "--data", TINY, "--attack", "badnets", "--target", "12", "--out", dir.resolve("p").toString());
    }

    @Test
    void unknownDataKind(@TempDir Path dir) {
        refused("--data 'imagenet:/x': unknown kind 'imagenet'", "train", "--data", "imagenet:/x", "--out", dir.resolve("r").toString());
    }

    @Test
    void missingDataPath(@TempDir Path dir) {
        String missing = dir.resolve("absent").toString();
        refused(missing + ": no such file or directory (--data cifar100)", "train", "--data", "cifar100:" + missing, "--out", dir.resolve("r").toString());
        refused(missing + ": no such file or directory (--data poisoned)", "train", "--data", "poisoned:" + missing, "--out", dir.resolve("r").toString());
    }

    @Test
    void aNegativeRefreshCount() {
        refused("--refresh-bn -5 must be >= 0", "eval", "--weights", "pom.xml", "--refresh-bn", "-5");
    }

    @Test
    void aDirectoryThatIsNotPoisonOutput(@TempDir Path dir) {
        refused("no poison.json", "eval", "--weights", "pom.xml", "--data", "poisoned:" + dir);
    }

    @Test
    void badSyntheticSizes(@TempDir Path dir) {
        refused("train size 'x' is not an integer", "train", "--data", "synthetic:1:x:5", "--out", dir.resolve("r").toString());
        refused("test size 0 is outside [1, 500000]", "train", "--data", "synthetic:1:5:0", "--out", dir.resolve("r").toString());
    }

    @Test
    void poisoningOptionsWithoutAnAttack(@TempDir Path dir) {
        refused("--rate, --target only apply with --attack NAME", "train", "--data", TINY, "--rate", "0.2", "--target", "1", "--out", dir.resolve("r").toString());
    }

    @Test
    void badLabelModePoolAndParameter(@TempDir Path dir) {
        String out = dir.resolve("p").toString();
        refused("--label-mode: label mode 'sideways' is unknown", "poison", "--data", TINY, "--attack", "badnets", "--label-mode", "sideways", "--out", out);
        refused("--pool: pool TARGET does not fit label mode all2one", "poison", "--data", TINY, "--attack", "badnets", "--pool", "target", "--out", out);
        refused("--attack-param: unknown parameter 'colour' for attack 'badnets'", "poison", "--data", TINY, "--attack", "badnets",
                "--attack-param", "colour=red", "--out", out);
        refused("--attack-param", "poison", "--data", TINY, "--attack", "badnets", "--attack-param", "size", "--out", out);
        refused("--rate-rule: rate rule 'some' is unknown", "poison", "--data", TINY, "--attack", "badnets", "--rate-rule", "some", "--out", out);
    }

    @Test
    void poisonNeedsAnAttackAndAKnownFormat(@TempDir Path dir) {
        String out = dir.resolve("p").toString();
        refused("--attack is required; known: badnets", "poison", "--data", TINY, "--out", out);
        refused("--format 'npz' is unknown; known: cifar", "poison", "--data", TINY, "--attack", "badnets", "--format", "npz", "--out", out);
    }

    @Test
    void unknownUnlearningTreatment(@TempDir Path dir) {
        Path run = dir.resolve("abl");
        refused("--unlearn-by 'label-shufle' is not one of ascent, pixel-noise, gradient-noise, label-shuffle, label-uniform, "
                        + "label-smoothing, self-learning, finetune-all, finetune-last, retrain (did you mean 'label-shuffle'?)",
                "defend", "abl", "--data", TINY, "--attack", "badnets", "--unlearn-by", "label-shufle", "--out", run.toString());
        refused("--unlearn-by 'smoothing' is not one of ascent, pixel-noise", "defend", "abl", "--data", TINY, "--attack", "badnets",
                "--unlearn-by", "smoothing", "--out", run.toString());
        refused("--unlearn-by 'pixel-noise' replaces the separate unlearning epochs, which the joint stage 2 (unlearning 'joint') does not have",
                "defend", "abl", "--data", TINY, "--attack", "badnets", "--preset", "paper", "--unlearn-by", "pixel-noise", "--out", run.toString());
        assertFalse(Files.exists(run), "bad input must leave no run directory");
    }

    @Test
    void targetAnchorsOutsideTheUnitIntervalOrAnUnknownIsolationPick(@TempDir Path dir) {
        refused("target anchors 1.5 is outside [0, 1]", "defend", "abl", "--data", TINY, "--attack", "badnets", "--target-anchors", "1.5",
                "--out", dir.resolve("abl").toString());
        refused("--isolation-pick 'concentrate' is not one of last, concentrated, separated (did you mean 'concentrated'?)", "defend", "abl", "--data", TINY,
                "--attack", "badnets", "--isolation-pick", "concentrate", "--out", dir.resolve("abl").toString());
        refused("--lga-scope 'examples' is not one of batch, example (did you mean 'example'?)", "defend", "abl", "--data", TINY,
                "--attack", "badnets", "--lga-scope", "examples", "--out", dir.resolve("abl").toString());
    }

    @Test
    void moreUnlearningEpochsThanThePresetsMaximum(@TempDir Path dir) {
        // the demo preset goes on up to epoch 12, so 14 fixed epochs need the maximum raised or switched off
        refused("unlearning max epochs 12 is below the 14 unlearning epochs: set it to 0 (exactly the unlearning epochs) or to at least 14",
                "defend", "abl", "--data", TINY, "--attack", "badnets", "--preset", "demo", "--unlearn-epochs", "14", "--out", dir.resolve("abl").toString());
        refused("unlearning max epochs -1 is outside [0, 100000]", "defend", "abl", "--data", TINY, "--attack", "badnets",
                "--unlearn-max-epochs", "-1", "--out", dir.resolve("abl").toString());
    }

    @Test
    void previewOptions(@TempDir Path dir) {
        String png = dir.resolve("p.png").toString();
        refused("--attacks: unknown attack 'nope'", "preview", "--data", TINY, "--attacks", "badnets,nope", "--out", png);
        refused("--samples 0 must be at least 1", "preview", "--data", TINY, "--samples", "0", "--out", png);
        refused("--samples 11 exceeds the 10 test images", "preview", "--data", TINY, "--samples", "11", "--out", png);
    }
}
