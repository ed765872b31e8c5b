/**
 * Backdoor attacks: each trigger in the file named after it (BadNets, Trojan, Blend, Sig, WaNet,
 * Refool), registered by name in {@link io.antidote.attack.AttackRegistry}, and the
 * {@link io.antidote.attack.Poisoner} that turns a {@link io.antidote.attack.PoisonSpec} into
 * poisoned training and test sets.
 */
package io.antidote.attack;
