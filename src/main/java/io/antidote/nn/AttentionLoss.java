package io.antidote.nn;

/** How NAD compares a student's attention maps with its teacher's at one tap. */
public enum AttentionLoss {
    /** Mean over samples and map positions of the squared difference: the reference code's form. */
    MSE,
    /** Per-sample L2 norm of the difference, averaged over the batch: the paper's form. */
    L2;

    public static AttentionLoss parse(String s) {
        return switch (s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "mse" -> MSE;
            case "l2", "norm" -> L2;
            default -> throw new io.antidote.BadInputException("attention loss '" + s + "' is not one of mse, l2");
        };
    }
}
