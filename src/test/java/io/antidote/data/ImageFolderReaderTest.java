package io.antidote.data;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ImageFolderReaderTest {
    @TempDir
    Path tmp;

    private static void png(Path file, int w, int h, int type, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, x == 0 && y == 0 ? 0x102030 : rgb);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, "png", file.toFile()));
    }

    @Test
    void classesAreSortedDirectoriesAndPixelsAreExact() throws IOException {
        png(tmp.resolve("zebra/b.png"), 32, 32, BufferedImage.TYPE_INT_RGB, 0xff0000);
        png(tmp.resolve("zebra/a.PNG"), 32, 32, BufferedImage.TYPE_INT_ARGB, 0xff00ff00);
        png(tmp.resolve("ant/only.png"), 32, 32, BufferedImage.TYPE_3BYTE_BGR, 0x0000ff);
        Files.writeString(tmp.resolve("ant/notes.txt"), "ignored");
        assertEquals(List.of("ant", "zebra"), ImageFolderReader.classes(tmp));
        ImageSet s = ImageFolderReader.read(tmp);
        assertEquals(2, s.numClasses());
        assertArrayEquals(new int[]{0, 1, 1}, s.labels());
        assertEquals(3, s.channels());
        // ant/only.png: blue; top-left pixel 0x102030 everywhere.
        assertEquals(255, s.pixel(0, 5, 5, 2));
        assertEquals(0, s.pixel(0, 5, 5, 0));
        assertEquals(0x10, s.pixel(0, 0, 0, 0));
        assertEquals(0x20, s.pixel(0, 0, 0, 1));
        assertEquals(0x30, s.pixel(0, 0, 0, 2));
        // zebra/a.PNG sorts before b.png: green, alpha dropped.
        assertEquals(255, s.pixel(1, 9, 9, 1));
        assertEquals(255, s.pixel(2, 9, 9, 0));
    }

    @Test
    void greyImagesKeepTheirStoredValues() throws IOException {
        BufferedImage g = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) g.getRaster().setSample(x, y, 0, 77);
        Files.createDirectories(tmp.resolve("g"));
        ImageIO.write(g, "png", tmp.resolve("g/x.png").toFile());
        ImageSet s = ImageFolderReader.read(tmp);
        for (int ch = 0; ch < 3; ch++) assertEquals(77, s.pixel(0, 31, 0, ch));
    }

    @Test
    void resizesToTheRequestedSize() throws IOException {
        png(tmp.resolve("a/x.png"), 64, 48, BufferedImage.TYPE_INT_RGB, 0x808080);
        BufferedImage jpg = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(jpg, "jpg", tmp.resolve("a/y.jpeg").toFile());
        ImageSet s = ImageFolderReader.read(tmp, 16, 24);
        assertEquals(2, s.size());
        assertEquals(16, s.height());
        assertEquals(24, s.width());
        assertEquals(0x80, s.pixel(0, 15, 23, 1));
        assertEquals(0, s.pixel(1, 8, 8, 0));
    }

    @Test
    void rejectsUnreadableImagesAndEmptyClasses() throws IOException {
        png(tmp.resolve("a/x.png"), 8, 8, BufferedImage.TYPE_INT_RGB, 0);
        Files.write(tmp.resolve("a/broken.jpg"), new byte[]{1, 2, 3, 4});
        BadInputException e = assertThrows(BadInputException.class, () -> ImageFolderReader.read(tmp));
        assertTrue(e.getMessage().contains("broken.jpg: unreadable image"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        Files.delete(tmp.resolve("a/broken.jpg"));
        Files.createDirectories(tmp.resolve("b"));
        e = assertThrows(BadInputException.class, () -> ImageFolderReader.read(tmp));
        assertTrue(e.getMessage().endsWith("b: class directory holds no .png, .jpg or .jpeg images"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ImageFolderReader.read(tmp.resolve("missing")));
        assertTrue(e.getMessage().endsWith("missing: directory not found"), e.getMessage());
    }
}
