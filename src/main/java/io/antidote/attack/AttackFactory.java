package io.antidote.attack;

/** Builds one attack from its parameters; must read every parameter it knows (see {@link AttackParams}). */
@FunctionalInterface
public interface AttackFactory {
    Attack create(AttackParams params, AttackContext context);
}
