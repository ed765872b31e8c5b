package io.antidote.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Job scripts that spread a grid over a cluster the user already has: task i of the job runs
 * `antidote grid GRID.yaml --cell i`, so the cluster's scheduler does the scaling and each task
 * finds its cell by index alone.
 */
final class GridJobs {
    private GridJobs() {}

    /** The grid file as the job should name it, how the job calls antidote (null: a default per scheduler), and the k8s image. */
    record Settings(Path gridFile, String launcher, String image) {}

    /** A Slurm batch script with one array task per cell. */
    static String slurm(ConfigFile.Grid grid, Settings s) {
        int n = grid.cells().size();
        Path here = Path.of("").toAbsolutePath();
        // the checkout's launcher builds on first use, so the job needs nothing installed
        String launcher = s.launcher() != null ? s.launcher()
                : Files.isExecutable(here.resolve("antidote")) ? here.resolve("antidote").toString() : "antidote";
        StringBuilder b = new StringBuilder("#!/bin/bash\n");
        b.append("#SBATCH --job-name=").append(k8sName("antidote-" + grid.name())).append('\n');
        b.append("#SBATCH --array=0-").append(n - 1).append('\n');
        b.append("#SBATCH --output=slurm-%A_%a.out\n");
        b.append("# Antidote grid '").append(grid.name()).append("': ").append(n).append(n == 1 ? " cell" : " cells")
                .append(", array task i runs cell i. Add --partition, --time and --cpus-per-task for your cluster.\n");
        cells(b, grid, "# ");
        b.append("set -euo pipefail\n");
        b.append("cd ").append(quote(here.toString())).append('\n');
        b.append("exec ").append(quote(launcher)).append(" grid ").append(quote(s.gridFile().toString()))
                .append(" --cell \"$SLURM_ARRAY_TASK_ID\"\n");
        return b.toString();
    }

    /** A Kubernetes Indexed Job: completions = cells, and each pod runs the cell of its completion index. */
    static String kubernetes(ConfigFile.Grid grid, Settings s) {
        int n = grid.cells().size();
        String launcher = s.launcher() != null ? s.launcher() : "antidote";
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "antidote");
        container.put("image", s.image());
        container.put("command", List.of("sh", "-c",
                "exec " + quote(launcher) + " grid " + quote(s.gridFile().toString()) + " --cell \"$JOB_COMPLETION_INDEX\""));
        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("restartPolicy", "Never");
        pod.put("containers", List.of(container));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("completionMode", "Indexed");
        spec.put("completions", n);
        spec.put("parallelism", n);
        spec.put("backoffLimit", n);
        spec.put("template", Map.of("spec", pod));
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("apiVersion", "batch/v1");
        job.put("kind", "Job");
        job.put("metadata", Map.of("name", k8sName("antidote-" + grid.name())));
        job.put("spec", spec);
        StringBuilder b = new StringBuilder("# Antidote grid '").append(grid.name()).append("': ").append(n)
                .append(n == 1 ? " cell" : " cells").append(", the pod of completion index i runs cell i.\n")
                .append("# The image needs antidote on its PATH, the grid file and its data; mount a volume at the grid's out directory to keep the runs.\n");
        cells(b, grid, "# ");
        b.append(ConfigFile.dump(job));
        return b.toString();
    }

    private static void cells(StringBuilder b, ConfigFile.Grid grid, String prefix) {
        for (ConfigFile.Cell c : grid.cells()) {
            b.append(prefix).append(String.format(Locale.ROOT, "cell %d: %s%n", c.index(), grid.out().resolve(c.dirName())));
        }
    }

    /** A DNS-1123 label: lower case letters, digits and '-', at most 63 characters. */
    static String k8sName(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-+", "-").replaceAll("^-|-$", "");
        if (t.length() > 63) t = t.substring(0, 63).replaceAll("-$", "");
        return t.isEmpty() ? "antidote" : t;
    }

    /** Single-quotes a word for sh unless it is plainly safe. */
    static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./:=+-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
