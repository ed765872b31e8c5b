package io.antidote.nn;

import io.antidote.BadInputException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Registry of network architectures by name; one line registers one. */
public final class Architectures {
    private static final Map<String, IntFunction<Network>> REGISTRY = new LinkedHashMap<>();
    private static final Pattern WRN = Pattern.compile("wrn-(\\d+)-(\\d+)");

    static {
        REGISTRY.put("wrn-16-1", c -> new WideResNet(16, 1, c));
        REGISTRY.put("wrn-16-2", c -> new WideResNet(16, 2, c));
        REGISTRY.put("wrn-40-1", c -> new WideResNet(40, 1, c));
        REGISTRY.put("wrn-40-2", c -> new WideResNet(40, 2, c));
        REGISTRY.put("resnet18", c -> new ResNet18(c, false));
        REGISTRY.put("preact-resnet18", c -> new ResNet18(c, true));
    }

    private Architectures() {}

    public static java.util.Set<String> names() {
        return REGISTRY.keySet();
    }

    static Network build(String name, int numClasses) {
        IntFunction<Network> f = REGISTRY.get(name);
        if (f != null) return f.apply(numClasses);
        Matcher m = WRN.matcher(name);
        if (m.matches()) return new WideResNet(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), numClasses);
        throw new BadInputException("unknown model '" + name + "'; known: " + String.join(", ", REGISTRY.keySet()) + ", wrn-D-K");
    }

    /**
     * Maps state-dict names written by the reference PyTorch code (or an Antidote checkpoint) onto ours. WRN names are identical;
     * DBD/ASD ResNet-18 prefixes its backbone with "backbone." and names the head "linear.linear.".
     */
    static Map<String, TensorData> fromReferenceNames(String arch, Map<String, TensorData> in) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : in.entrySet()) {
            String k = e.getKey();
            // a training checkpoint holds the model under "model/" beside the optimiser's "optim/" state
            if (k.startsWith("optim/")) continue;
            if (k.startsWith("model/")) k = k.substring("model/".length());
            if (k.startsWith("module.")) k = k.substring("module.".length());
            if (k.startsWith("backbone.")) k = k.substring("backbone.".length());
            if (k.startsWith("linear.linear.")) k = k.substring("linear.".length());
            if (k.startsWith("fc.") && arch.contains("resnet")) k = "linear." + k.substring(3);
            out.put(k, e.getValue());
        }
        return out;
    }
}
