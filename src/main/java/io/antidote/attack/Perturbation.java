package io.antidote.attack;

/**
 * A per-image change made to a training sample before its trigger goes on, such as the adversarial
 * perturbation of the label-consistent (CL) attack, which needs a trained model and so lives in a
 * module above this one.
 */
@FunctionalInterface
public interface Perturbation {
    /** The perturbed copy of one HWC image of the sample with this original index and label. */
    byte[] apply(byte[] hwc, int height, int width, int channels, int originalIndex, int label);
}
