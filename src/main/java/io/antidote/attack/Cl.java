package io.antidote.attack;

import java.util.Map;

/**
 * Label-consistent backdoor (Turner et al. 2019): target-class images are first pushed away from
 * their class by a PGD perturbation against a clean model, then get the four-corner trigger; labels
 * never change. This class is the trigger and the perturbation's settings; the perturbation itself
 * needs a trained model and is made by the training layer (train.LabelConsistent).
 */
public final class Cl implements Attack {
    /** PGD settings in pixel units (ε 8 or 16 of 255), step count, and epochs of the clean surrogate model. */
    public record Settings(double epsilon, int steps, int modelEpochs) {
        /** Step size: 2.5·ε/steps, the usual choice that lets PGD cross the ball in fewer steps than it has. */
        public double stepSize() { return 2.5 * epsilon / steps; }
    }

    private final Attack trigger = BadNets.fourCorner();
    private final Settings settings;

    private Cl(Settings s) {
        settings = s;
    }

    static Attack create(AttackParams p, AttackContext ctx) {
        double eps = p.real("epsilon", 8, "(0, 255]");
        int steps = p.integer("steps", 10, "[1, inf)");
        int epochs = p.integer("model_epochs", 10, "[1, inf)");
        return new Cl(new Settings(eps, steps, epochs));
    }

    /** The settings of an attack made from a "cl" spec. */
    public static Settings settings(Attack a) {
        if (a instanceof Cl c) return c.settings;
        throw new IllegalArgumentException(a.name() + " is not the CL attack");
    }

    @Override
    public String name() { return "cl"; }

    @Override
    public Map<String, String> parameters() {
        return Pixels.params("epsilon", settings.epsilon(), "steps", settings.steps(), "model_epochs", settings.modelEpochs(),
                "trigger", "fourcorner");
    }

    @Override
    public byte[] apply(byte[] hwc, int h, int w, int c) {
        return trigger.apply(hwc, h, w, c);
    }
}
