package io.antidote.attack;

import io.antidote.BadInputException;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/** Attacks by name: one line below registers each, with the label mode it is normally used with. */
public final class AttackRegistry {
    private record Entry(LabelMode defaultMode, AttackFactory factory) {}

    private static final Map<String, Entry> ATTACKS = new ConcurrentSkipListMap<>();

    static {
        register("badnets", LabelMode.ALL2ONE, BadNets::create);
        register("trojan", LabelMode.ALL2ONE, Trojan::create);
        register("blend", LabelMode.ALL2ONE, Blend::create);
        register("sig", LabelMode.CLEAN_LABEL, Sig::create);
        register("wanet", LabelMode.ALL2ONE, WaNet::create);
        register("refool", LabelMode.CLEAN_LABEL, Refool::create);
        register("cl", LabelMode.CLEAN_LABEL, Cl::create);
    }

    private AttackRegistry() {}

    /** Public so that modules above this one (e.g. a CL attack needing a model) can add theirs. */
    public static void register(String name, LabelMode defaultMode, AttackFactory factory) {
        String key = name.toLowerCase(Locale.ROOT);
        if (ATTACKS.putIfAbsent(key, new Entry(defaultMode, factory)) != null) {
            throw new IllegalStateException("attack '" + key + "' is registered twice");
        }
    }

    public static Set<String> names() {
        return Collections.unmodifiableSet(ATTACKS.keySet());
    }

    public static boolean has(String name) {
        return name != null && ATTACKS.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public static LabelMode defaultLabelMode(String name) {
        return entry(name).defaultMode();
    }

    public static Attack create(String name, Map<String, String> params) {
        return create(name, params, AttackContext.NONE);
    }

    public static Attack create(String name, Map<String, String> params, AttackContext context) {
        String key = name.toLowerCase(Locale.ROOT);
        AttackParams p = new AttackParams(key, params);
        Attack a = entry(key).factory().create(p, context);
        p.finish();
        return a;
    }

    /** The attack a poison spec names, given the clean training set for attacks that draw on it. */
    public static Attack create(PoisonSpec spec, AttackContext context) {
        return create(spec.attack(), spec.params(), context);
    }

    static void requireKnown(String name) {
        entry(name);
    }

    private static Entry entry(String name) {
        Entry e = name == null ? null : ATTACKS.get(name.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new BadInputException("unknown attack '" + name + "'; known: " + String.join(", ", ATTACKS.keySet()));
        }
        return e;
    }
}
