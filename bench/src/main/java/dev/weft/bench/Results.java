package dev.weft.bench;

import java.util.ArrayList;
import java.util.List;

/** The samples of one run: attach and detach per tool, process starts per spawner, weft's steps. */
final class Results {
    private final List<Samples> attach = new ArrayList<>();
    private final List<Samples> detach = new ArrayList<>();
    private final List<Samples> spawn = new ArrayList<>();
    private final List<Samples> steps;

    Results(List<Attacher> tools, List<Spawner> spawners) {
        for (Attacher tool : tools) {
            attach.add(new Samples("attach", tool.attachLabel()));
            detach.add(new Samples("detach", tool.detachLabel()));
        }
        for (Spawner s : spawners) {
            spawn.add(new Samples("process start", "/bin/true started by " + s.label()));
        }
        steps = WeftAttacher.STEPS.stream().map(n -> new Samples(n, "weft")).toList();
    }

    /** Records tool {@code t}'s {attach, detach} nanoseconds and, for weft, its attach steps. */
    void add(int t, long[] attachDetach, long[] weftSteps) {
        attach.get(t).add(attachDetach[0]);
        detach.get(t).add(attachDetach[1]);
        if (weftSteps != null) {
            for (int i = 0; i < weftSteps.length; i++) {
                steps.get(i).add(weftSteps[i]);
            }
        }
    }

    void spawn(int k, long nanos) {
        spawn.get(k).add(nanos);
    }

    /** Attach rows, then detach rows, then process starts. */
    List<Samples> rows() {
        List<Samples> rows = new ArrayList<>(attach);
        rows.addAll(detach);
        rows.addAll(spawn);
        return rows;
    }

    List<Samples> steps() {
        return steps;
    }
}
