package io.antidote.attack;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RefoolTest {
    private final ImageSet train = Images.set(300, 16, 16, 3, 10, true);

    @Test
    void reflectionsComeFromNonTargetClasses() {
        Refool r = (Refool) AttackRegistry.create("refool", Map.of("candidates", "50"), new AttackContext(train, 2));
        assertEquals(50, r.reflections().size());
        for (int i = 0; i < 50; i++) assertNotEquals(2, r.reflections().label(i));
    }

    @Test
    void changesTheImageReproduciblyPerSample() {
        for (String model : new String[]{"ghost", "focal", "mixed"}) {
            Attack a = AttackRegistry.create("refool", Map.of("model", model, "strength_min", "0.2"), new AttackContext(train, 0));
            byte[] img = Images.constant(16, 16, 3, 40);
            byte[] out = a.apply(img, 16, 16, 3, 5);
            assertFalse(Arrays.equals(img, out), model);
            assertArrayEquals(out, a.apply(img, 16, 16, 3, 5), model);
            for (int i = 0; i < out.length; i++) assertTrue((out[i] & 0xff) >= 40, "reflections only add light");
        }
    }

    @Test
    void brightImagesClipAt255() {
        Attack a = AttackRegistry.create("refool", Map.of("strength_min", "0.45"), new AttackContext(train, 0));
        byte[] out = a.apply(Images.constant(16, 16, 3, 250), 16, 16, 3, 1);
        int max = 0;
        for (byte v : out) max = Math.max(max, v & 0xff);
        assertEquals(255, max);
    }

    @Test
    void blurKeepsAConstantImageConstant() {
        double[] img = new double[8 * 8];
        Arrays.fill(img, 77);
        for (double v : Refool.blur(img, 8, 8, 1, 5)) assertEquals(77, v, 1e-9);
    }

    @Test
    void needsATrainingSet() {
        BadInputException e = assertThrows(BadInputException.class, () -> AttackRegistry.create("refool", Map.of()));
        assertEquals("attack 'refool' needs a clean training set to draw reflections from", e.getMessage());
    }
}
