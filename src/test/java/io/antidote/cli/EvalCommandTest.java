package io.antidote.cli;

import io.antidote.data.BatchLoader;
import io.antidote.data.ImageSet;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class EvalCommandTest {
    @Test
    void refreshedStatisticsComeFromPlainTrainingImagesBeforeScoring(@TempDir Path dir) throws Exception {
        String data = "synthetic:3:400:200";
        ImageSet train = DataSource.resolve(data).train();
        int ib = train.imageBytes();
        byte[] bright = new byte[64 * ib];
        Arrays.fill(bright, (byte) 250);
        Path stale = dir.resolve("stale.safetensors"), fresh = dir.resolve("fresh.safetensors");
        try (Model m = Model.create("wrn-10-1", 10, 11, Precision.FP32)) {
            // statistics of near-white images, far from what the test images give
            for (int i = 0; i < 20; i++) m.recalibrate(bright, 64);
            m.save(stale, null);
            int[] order = BatchLoader.shuffledOrder(train.size(), 0);
            byte[] px = new byte[300 * ib];
            for (int k = 0; k < 300; k++) train.copyImage(order[k], px, k * ib);
            m.recomputeBatchNormStatistics(px, 300, 128);
            m.save(fresh, null);
        }
        String plain = Cli.stdout("eval", "--weights", fresh.toString(), "--model", "wrn-10-1", "--data", data);
        String refreshed = Cli.stdout("eval", "--weights", stale.toString(), "--model", "wrn-10-1", "--data", data, "--refresh-bn", "300");
        String staleOut = Cli.stdout("eval", "--weights", stale.toString(), "--model", "wrn-10-1", "--data", data);
        assertTrue(refreshed.contains("batch-norm statistics re-estimated on 300 images"), refreshed);
        String scores = plain.substring(plain.indexOf(": ") + 2).strip();
        assertTrue(refreshed.strip().endsWith(scores), refreshed + " vs " + scores);
        assertFalse(staleOut.strip().endsWith(scores), "the stale statistics score differently: " + staleOut);
    }
}
