package io.antidote.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `antidote defend <defense>`: each defense is one subcommand, registered by one line below. */
@Command(name = "defend", mixinStandardHelpOptions = true, description = "Train or repair a model with a backdoor defense.",
        subcommands = {AblCommand.class, NadCommand.class, FineTuneCommand.class, FinePruningCommand.class, McrCommand.class, AsdCommand.class})
final class DefendCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
