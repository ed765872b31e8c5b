package io.antidote.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** `antidote grid`: the cell order, job scripts with one task per cell, and running cells with a leaderboard. */
class GridCommandTest {
    @TempDir
    Path dir;

    /** 2 attacks x 2 defenses x 2 rates x 1 seed = 8 cells. */
    private Path grid() throws Exception {
        Path f = dir.resolve("grid.yaml");
        Files.writeString(f, """
                name: tiny
                out: %s
                base:
                  data: synthetic:1:200:60
                  model: wrn-10-1
                  precision: fp32
                  attack: {name: badnets, params: {variant: square}}
                  train: {epochs: 1}
                attacks: [badnets, blend]
                defenses: [none, ft]
                rates: [0.1, 0.2]
                defense_options:
                  ft: {epochs: 1, clean_count: 20}
                """.formatted(dir.resolve("runs")));
        return f;
    }

    @Test
    void cellsComeInTheDocumentedOrder() throws Exception {
        ConfigFile.Grid g = ConfigFile.grid(grid());
        List<String> names = g.cells().stream().map(ConfigFile.Cell::dirName).toList();
        assertEquals(List.of("cell-000-badnets-none-0.1-s1", "cell-001-badnets-none-0.2-s1", "cell-002-badnets-ft-0.1-s1",
                "cell-003-badnets-ft-0.2-s1", "cell-004-blend-none-0.1-s1", "cell-005-blend-none-0.2-s1", "cell-006-blend-ft-0.1-s1",
                "cell-007-blend-ft-0.2-s1"), names);
        // the base's attack keeps its parameters; another attack starts from its own defaults
        assertEquals(Map.of("variant", "square"), g.cells().get(0).experiment().attack().params());
        assertEquals(Map.of(), g.cells().get(4).experiment().attack().params());
        assertEquals(0.2, g.cells().get(7).experiment().attack().rate());
        assertEquals(20, ((Experiment.FtDefense) g.cells().get(2).experiment().defense()).budget().count());
        Cli list = Cli.run("grid", grid().toString(), "--list");
        assertEquals(0, list.code, list.err);
        assertEquals(8, list.out.strip().lines().count());
    }

    @Test
    void slurmArrayHasOneTaskPerCell() throws Exception {
        Cli c = Cli.run("grid", grid().toString(), "--emit", "slurm");
        assertEquals(0, c.code, c.err);
        String s = c.out;
        assertTrue(s.startsWith("#!/bin/bash\n"), s);
        List<String> arrays = s.lines().filter(l -> l.startsWith("#SBATCH --array=")).toList();
        assertEquals(List.of("#SBATCH --array=0-7"), arrays);
        List<String> commands = s.lines().filter(l -> l.contains(" grid ") && !l.startsWith("#")).toList();
        assertEquals(1, commands.size(), s);
        assertTrue(commands.get(0).endsWith(" grid " + grid() + " --cell \"$SLURM_ARRAY_TASK_ID\""), commands.get(0));
        assertCellsListedOnce(s, 8);
        // the script runs before any other line: #SBATCH directives must come first
        int firstCode = s.lines().toList().indexOf("set -euo pipefail");
        assertTrue(s.lines().toList().subList(firstCode, s.lines().toList().size()).stream().noneMatch(l -> l.startsWith("#SBATCH")));
        Path script = dir.resolve("job.sh");
        assertEquals(0, Cli.run("grid", grid().toString(), "--emit", "slurm", "--script", script.toString()).code);
        assertEquals(s, Files.readString(script));
    }

    @Test
    void kubernetesIndexedJobHasOneCompletionPerCell() throws Exception {
        Cli c = Cli.run("grid", grid().toString(), "--emit", "k8s", "--image", "registry.example/antidote:1");
        assertEquals(0, c.code, c.err);
        Map<?, ?> job = new Yaml().load(c.out);
        assertEquals("batch/v1", job.get("apiVersion"));
        assertEquals("Job", job.get("kind"));
        Map<?, ?> spec = (Map<?, ?>) job.get("spec");
        assertEquals("Indexed", spec.get("completionMode"));
        assertEquals(8, spec.get("completions"));
        Map<?, ?> pod = (Map<?, ?>) ((Map<?, ?>) spec.get("template")).get("spec");
        assertEquals("Never", pod.get("restartPolicy"));
        Map<?, ?> container = (Map<?, ?>) ((List<?>) pod.get("containers")).get(0);
        assertEquals("registry.example/antidote:1", container.get("image"));
        String command = String.join(" ", (List<String>) container.get("command"));
        assertTrue(command.endsWith(" grid " + grid() + " --cell \"$JOB_COMPLETION_INDEX\""), command);
        assertCellsListedOnce(c.out, 8);
    }

    private static void assertCellsListedOnce(String script, int n) {
        Matcher m = Pattern.compile("(?m)^# cell (\\d+): .*cell-(\\d{3})-").matcher(script);
        int count = 0;
        while (m.find()) {
            assertEquals(count, Integer.parseInt(m.group(1)));
            assertEquals(count, Integer.parseInt(m.group(2)));
            count++;
        }
        assertEquals(n, count);
    }

    @Test
    void badGridsAreOneLine() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "base: {attack: {name: badnets}}\ndefenses: [none, nda]\n");
        Cli c = Cli.run("grid", f.toString(), "--list");
        assertEquals(2, c.code);
        assertEquals("antidote: bad.yaml: defenses: 'nda' is not one of none, abl, nad, ft, fp, asd", c.err.strip());
        Files.writeString(f, "base: {attack: {name: badnets}}\nrate: [0.1]\n");
        c = Cli.run("grid", f.toString(), "--list");
        assertEquals(2, c.code);
        assertEquals("antidote: bad.yaml: unknown key 'rate' (did you mean 'rates'?)", c.err.strip());
        Files.writeString(f, "base: {attack: {name: badnets, rate: 7}}\n");
        c = Cli.run("grid", f.toString(), "--list");
        assertEquals("antidote: bad.yaml: base: attack.rate: 7 is outside (0, 1]", c.err.strip());
        c = Cli.run("grid", grid().toString(), "--cell", "8");
        assertEquals("antidote: --cell 8 is outside [0, 7] (8 cells)", c.err.strip());
    }

    @Test
    void runsACellThenSkipsItAndWritesALeaderboard() throws Exception {
        Path g = grid();
        Path runs = dir.resolve("runs");
        assertEquals(0, Cli.run("grid", g.toString(), "--cell", "2").code);
        Path cell = runs.resolve("cell-002-badnets-ft-0.1-s1");
        assertTrue(Files.isRegularFile(cell.resolve("result.json")));
        assertTrue(Files.isRegularFile(cell.resolve("report.html")));
        long modified = Files.getLastModifiedTime(cell.resolve("result.json")).toMillis();
        assertEquals(0, Cli.run("grid", g.toString(), "--cell", "2").code);
        assertEquals(modified, Files.getLastModifiedTime(cell.resolve("result.json")).toMillis(), "a finished cell is skipped");
        List<String> md = Files.readAllLines(runs.resolve("leaderboard.md"));
        // header, rule, the undefended model and FT, both from the one cell
        assertEquals(4, md.size(), String.join("\n", md));
        assertTrue(md.get(3).startsWith("| 2 | FT | badnets | wrn-10-1 |"), md.get(3));
    }
}
