package io.antidote.cli;

import io.antidote.attack.Preview;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class PreviewCommandTest {
    @Test
    void sheetHasOneRowPerAttackAndThreeCellsPerSample(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("sub/preview.png");
        Cli r = Cli.run("preview", "--data", "synthetic:1:30:10", "--attacks", "badnets,blend,refool", "--samples", "2", "--out", png.toString());
        assertEquals(0, r.code, r.err);
        BufferedImage img = ImageIO.read(png.toFile());
        int cell = 32 * Preview.SCALE;
        assertEquals(6 * cell + 5 * Preview.GAP, img.getWidth());
        assertEquals(3 * cell + 2 * Preview.GAP, img.getHeight());
    }

    @Test
    void everyRegisteredAttackByDefault(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("all.png");
        Cli r = Cli.run("preview", "--data", "synthetic:1:30:10", "--samples", "1", "--out", png.toString());
        assertEquals(0, r.code, r.err);
        int rows = io.antidote.attack.AttackRegistry.names().size();
        int cell = 32 * Preview.SCALE;
        assertEquals(rows * cell + (rows - 1) * Preview.GAP, ImageIO.read(png.toFile()).getHeight());
    }
}
