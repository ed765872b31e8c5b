package io.antidote.attack;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;

import static io.antidote.attack.Images.px;
import static org.junit.jupiter.api.Assertions.*;

class PatchTriggerTest {
    static final int H = 32, W = 32, C = 3;

    /** Checks a 3x3 all-channel pattern at (top, left) and returns how many entries it covers. */
    private static void assertPattern(byte[] img, int top, int left, int[][] pattern) {
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 3; k++) {
                for (int ch = 0; ch < C; ch++) {
                    assertEquals(pattern[r][k], px(img, W, C, top + r, left + k, ch), "row " + (top + r) + " col " + (left + k));
                }
            }
        }
    }

    private static int changed(byte[] a, byte[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) n++;
        return n;
    }

    @Test
    void gridIsTheReferenceCheckerboardInTheBottomRightCorner() {
        byte[] img = Images.constant(H, W, C, 100);
        byte[] out = BadNets.grid().apply(img, H, W, C);
        assertPattern(out, 29, 29, new int[][]{{0, 0, 255}, {0, 255, 0}, {255, 0, 255}});
        assertEquals(27, changed(img, out));
        assertEquals(100, img[0] & 0xff, "input untouched");
    }

    @Test
    void squareIsWhiteWithAOnePixelMargin() {
        byte[] img = Images.constant(H, W, C, 100);
        byte[] out = BadNets.square(3, 1).apply(img, H, W, C);
        for (int r = 28; r <= 30; r++) {
            for (int k = 28; k <= 30; k++) {
                for (int ch = 0; ch < C; ch++) assertEquals(255, px(out, W, C, r, k, ch));
            }
        }
        assertEquals(27, changed(img, out));
        assertEquals(100, px(out, W, C, 31, 31, 0));
    }

    @Test
    void fourCornerHasTheFourReferencePatterns() {
        byte[] img = Images.constant(H, W, C, 100);
        byte[] out = BadNets.fourCorner().apply(img, H, W, C);
        assertPattern(out, 29, 29, new int[][]{{0, 0, 255}, {0, 255, 0}, {255, 0, 255}});
        assertPattern(out, 1, 1, new int[][]{{255, 0, 255}, {0, 255, 0}, {255, 0, 0}});
        assertPattern(out, 29, 1, new int[][]{{255, 0, 0}, {0, 255, 0}, {255, 0, 255}});
        assertPattern(out, 1, 29, new int[][]{{255, 0, 255}, {0, 255, 0}, {0, 0, 255}});
        assertEquals(4 * 27, changed(img, out));
        assertEquals(100, px(out, W, C, 0, 0, 0), "top-left pattern starts one pixel in");
    }

    @Test
    void asdPatchIsTheColouredTwoByTwoAtRowsAndColsFourToFive() {
        byte[] img = Images.constant(H, W, C, 7);
        byte[] out = BadNets.asdPatch().apply(img, H, W, C);
        int[][] expected = {{4, 4, 180, 249, 112}, {4, 5, 155, 50, 126}, {5, 4, 234, 82, 68}, {5, 5, 187, 201, 219}};
        for (int[] e : expected) {
            for (int ch = 0; ch < 3; ch++) assertEquals(e[2 + ch], px(out, W, C, e[0], e[1], ch));
        }
        assertEquals(12, changed(img, out));
    }

    @Test
    void trojanAddsTheReferencePatchAndWrapsLikeTheReference() {
        int[][][] floorT = {
                {{207, 175, 29}, {79, 137, 248}, {131, 6, 246}},
                {{131, 243, 232}, {8, 0, 113}, {40, 145, 250}},
                {{181, 120, 179}, {126, 32, 146}, {4, 61, 246}}};
        byte[] img = Images.constant(H, W, C, 200);
        byte[] wrap = new Trojan(Trojan.Overflow.WRAP).apply(img, H, W, C);
        byte[] sat = new Trojan(Trojan.Overflow.SATURATE).apply(img, H, W, C);
        assertEquals(151, px(wrap, W, C, 25, 25, 0), "200 + 207.35 wraps to 151");
        assertEquals(255, px(sat, W, C, 25, 25, 0));
        for (int ch = 0; ch < 3; ch++) {
            for (int r = 0; r < 3; r++) {
                for (int k = 0; k < 3; k++) {
                    assertEquals((200 + floorT[ch][r][k]) % 256, px(wrap, W, C, 25 + r, 25 + k, ch));
                    assertEquals(Math.min(255, 200 + floorT[ch][r][k]), px(sat, W, C, 25 + r, 25 + k, ch));
                }
            }
        }
        assertEquals(200, px(wrap, W, C, 26, 26, 1), "the one zero entry leaves the pixel alone");
        assertEquals(26, changed(img, wrap));
        assertEquals(200, px(wrap, W, C, 28, 28, 0));
    }

    @Test
    void patchFromPngHonoursBlackTransparencyAndMaskFile(@TempDir Path dir) throws Exception {
        BufferedImage patch = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        patch.setRGB(0, 0, 0x102030);
        patch.setRGB(1, 0, 0x000000);
        patch.setRGB(0, 1, 0xffffff);
        patch.setRGB(1, 1, 0x405060);
        Path png = dir.resolve("p.png");
        ImageIO.write(patch, "png", png.toFile());
        byte[] img = Images.constant(8, 8, 3, 9);

        byte[] out = BadNets.patch(png, 1, 2, null, true).apply(img, 8, 8, 3);
        assertArrayEqualsAt(out, 1, 2, 0x10, 0x20, 0x30);
        assertArrayEqualsAt(out, 1, 3, 9, 9, 9);
        assertArrayEqualsAt(out, 2, 2, 255, 255, 255);
        assertArrayEqualsAt(out, 2, 3, 0x40, 0x50, 0x60);

        byte[] opaque = BadNets.patch(png, -1, -1, null, false).apply(img, 8, 8, 3);
        assertArrayEqualsAt(opaque, 6, 7, 0, 0, 0);

        BufferedImage mask = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        mask.setRGB(0, 0, 0xffffff);
        mask.setRGB(1, 1, 0xffffff);
        Path maskPng = dir.resolve("m.png");
        ImageIO.write(mask, "png", maskPng.toFile());
        Attack masked = AttackRegistry.create("badnets", Map.of("variant", "patch", "patch", png.toString(),
                "mask", maskPng.toString(), "row", "0", "col", "0"));
        byte[] m = masked.apply(img, 8, 8, 3);
        assertArrayEqualsAt(m, 0, 0, 0x10, 0x20, 0x30);
        assertArrayEqualsAt(m, 0, 1, 9, 9, 9);
        assertArrayEqualsAt(m, 1, 0, 9, 9, 9);
        assertArrayEqualsAt(m, 1, 1, 0x40, 0x50, 0x60);

        BadInputException e = assertThrows(BadInputException.class,
                () -> BadNets.patch(png, 7, 7, null, false).apply(img, 8, 8, 3));
        assertEquals("badnets patch of 2x2 at row 7, col 7 does not fit a 8x8 image", e.getMessage());
    }

    private static void assertArrayEqualsAt(byte[] img, int row, int col, int r, int g, int b) {
        assertArrayEquals(new int[]{r, g, b}, new int[]{px(img, 8, 3, row, col, 0), px(img, 8, 3, row, col, 1), px(img, 8, 3, row, col, 2)},
                "pixel " + row + "," + col);
    }
}
