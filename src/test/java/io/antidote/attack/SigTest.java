package io.antidote.attack;

import org.junit.jupiter.api.Test;

import static io.antidote.attack.Images.px;
import static org.junit.jupiter.api.Assertions.*;

class SigTest {

    @Test
    void referenceMaskMatchesTheShippedMaskRowIncludingItsWrap() {
        int[] shipped = {0, 14, 19, 13, 255, 241, 237, 244, 2, 15, 19, 11, 253, 240, 237, 246,
                4, 17, 19, 9, 251, 239, 238, 248, 6, 18, 18, 7, 249, 238, 238, 250};
        for (int col = 0; col < 32; col++) assertEquals(shipped[col], Sig.referenceMask(col), "col " + col);
    }

    @Test
    void referenceOnConstant128GivesTheSpecVector() {
        byte[] out = Sig.reference().apply(Images.constant(32, 32, 3, 128), 32, 32, 3);
        int[] expected = {102, 105, 106, 105, 153, 150, 149, 151};
        for (int col = 0; col < 8; col++) {
            for (int row : new int[]{0, 17, 31}) {
                for (int ch = 0; ch < 3; ch++) assertEquals(expected[col], px(out, 32, 3, row, col, ch));
            }
        }
    }

    @Test
    void paperVariantIsAdditiveAndClipped() {
        byte[] out = Sig.paper().apply(Images.constant(32, 32, 1, 250), 32, 32, 1);
        assertEquals(250, px(out, 32, 1, 0, 0, 0));
        // col 1: 20 sin(2 pi 6 / 32) = 18.5 pushes past 255 and is clipped.
        assertEquals(255, px(out, 32, 1, 3, 1, 0));
        byte[] low = Sig.paper().apply(Images.constant(32, 32, 1, 100), 32, 32, 1);
        assertEquals((int) (100 + 20 * Math.sin(2 * Math.PI * 1 * 6 / 32)), px(low, 32, 1, 0, 1, 0));
        assertEquals((int) (100 + 20 * Math.sin(2 * Math.PI * 4 * 6 / 32)), px(low, 32, 1, 0, 4, 0));
    }

    @Test
    void sigIsCleanLabelByDefault() {
        assertEquals(LabelMode.CLEAN_LABEL, AttackRegistry.defaultLabelMode("sig"));
        assertEquals(LabelMode.ALL2ONE, AttackRegistry.defaultLabelMode("badnets"));
    }
}
