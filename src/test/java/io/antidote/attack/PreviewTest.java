package io.antidote.attack;

import io.antidote.data.ImageSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PreviewTest {

    @Test
    void gridHasOneRowPerAttackAndThreeCellsPerSample(@TempDir Path dir) throws Exception {
        ImageSet set = Images.set(10, 8, 8, 3, 10, false);
        Path png = dir.resolve("preview.png");
        Preview.write(png, List.of(BadNets.grid(), new Blend(0.2, 1, false)), set, new int[]{0, 3});
        BufferedImage img = ImageIO.read(png.toFile());
        int cell = 8 * Preview.SCALE;
        assertEquals(6 * cell + 5 * Preview.GAP, img.getWidth());
        assertEquals(2 * cell + Preview.GAP, img.getHeight());

        assertEquals(0x646464, img.getRGB(0, 0) & 0xffffff, "clean cell shows the image");
        assertEquals(0xffffff, img.getRGB(cell, 0) & 0xffffff, "gap is white");
        int trig = cell + Preview.GAP, diff = 2 * (cell + Preview.GAP);
        // Pixel (7,7) of the grid trigger is 255 on an image of 100: the largest difference, so 255.
        assertEquals(0xffffff, img.getRGB(trig + 7 * Preview.SCALE, 7 * Preview.SCALE) & 0xffffff);
        assertEquals(0xffffff, img.getRGB(diff + 7 * Preview.SCALE + 3, 7 * Preview.SCALE + 3) & 0xffffff);
        assertEquals(0, img.getRGB(diff, 0) & 0xffffff, "no change, no difference");
    }
}
