package io.antidote.cli;

import io.antidote.attack.LabelMode;
import io.antidote.attack.PoisonManifest;
import io.antidote.attack.PoisonSpec;
import io.antidote.attack.Poisoner;
import io.antidote.attack.Pool;
import io.antidote.attack.RateRule;
import io.antidote.data.ImageSet;
import io.antidote.data.Synthetic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class PoisonCommandTest {
    private static final Synthetic.Config DATA = Synthetic.Config.defaults().withSeed(5).withSizes(200, 50);

    @Test
    void poisonedSetReadsBackWithLabelsFlagsAndPixels(@TempDir Path dir) {
        Path out = dir.resolve("badnets");
        Cli r = Cli.run("poison", "--data", "synthetic:5:200:50", "--attack", "badnets", "--rate", "0.1", "--target", "3",
                "--seed", "7", "--out", out.toString());
        assertEquals(0, r.code, r.err);

        PoisonManifest m = PoisonManifest.read(out.resolve("manifest.csv"));
        assertEquals(200, m.entries().size());
        assertEquals((int) Math.floor(200 * 0.1), m.poisonedCount());
        for (PoisonManifest.Entry e : m.entries()) {
            if (e.poisoned()) assertEquals(3, e.label(), "poisoned sample " + e.index());
            else assertEquals(e.originalLabel(), e.label(), "clean sample " + e.index());
        }

        DataSource.Split back = DataSource.resolve("poisoned:" + out);
        ImageSet expected = Poisoner.poisonTrain(Synthetic.train(DATA),
                new PoisonSpec("badnets", Map.of(), 0.1, 3, LabelMode.ALL2ONE, Pool.ALL, RateRule.EXACT, 7));
        assertEquals(expected.sha256(), back.train().sha256(), "pixels and labels survive the round trip");
        assertArrayEquals(expected.poisonFlags(), back.train().poisonFlags(), "flags restored from the manifest");
        assertEquals(Synthetic.test(DATA).sha256(), back.test().sha256(), "test.bin is the clean test set");

        DataSource.Poisoning p = back.poisoning();
        assertEquals(3, p.target());
        assertEquals(45, p.poisonedTest().size(), "the 5 target-class test images are left out of the ASR set");
        assertEquals(45, p.poisonedTest().poisonedCount());
        for (int i = 0; i < p.poisonedTest().size(); i++) assertEquals(3, p.poisonedTest().label(i));
        assertEquals(20, ((Number) p.summary().get("poisoned")).intValue());
        assertTrue(r.out.contains("20 of 200 training images poisoned"), r.out);
    }

    @Test
    void cleanLabelTriggersTargetClassImagesAndKeepsTheirLabels(@TempDir Path dir) {
        Path out = dir.resolve("sig");
        Cli r = Cli.run("poison", "--data", "synthetic:5:200:50", "--attack", "sig", "--rate", "0.05", "--target", "2", "--out", out.toString());
        assertEquals(0, r.code, r.err);
        ImageSet train = DataSource.resolve("poisoned:" + out).train();
        assertEquals(10, train.poisonedCount(), "floor(200 x 0.05) drawn from the 20 images of class 2");
        for (int i = 0; i < train.size(); i++) {
            if (train.poisoned(i)) assertEquals(2, train.label(i));
        }
    }

    @Test
    void anOccupiedDirectoryIsRefusedAndNothingIsLeftBehind(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("p");
        String[] args = {"poison", "--data", "synthetic:1:30:10", "--attack", "blend", "--out", out.toString()};
        assertEquals(0, Cli.run(args).code);
        Cli again = Cli.run(args);
        assertEquals(2, again.code);
        assertTrue(again.err.contains("exists and is not empty"), again.err);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no partial directory next to the output");
        }
    }

    @Test
    void aChangedFileIsNoticed(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("p");
        assertEquals(0, Cli.run("poison", "--data", "synthetic:1:30:10", "--attack", "badnets", "--out", out.toString()).code);
        byte[] b = Files.readAllBytes(out.resolve("train.bin"));
        b[100] ^= 1;
        Files.write(out.resolve("train.bin"), b);
        Cli r = Cli.run("eval", "--weights", "pom.xml", "--data", "poisoned:" + out);
        assertEquals(2, r.code);
        assertTrue(r.err.contains("train.bin: does not match the sha256 in poison.json"), r.err);
    }
}
