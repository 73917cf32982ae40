package dev.weft.daemon;

import dev.weft.testkit.WeftdProcess;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** The churn tests' step: one request in flight, SIGKILL after 0-400 ms, restart. */
final class KillDuring {
    private KillDuring() {
    }

    /** Sends {@code request} ([method, path, body]), kills weftd at a random moment, restarts it; returns the restart's nanoseconds. */
    static long request(ApiClient api, WeftdProcess weftd, String[] request, Random random) throws InterruptedException {
        Thread inFlight = Thread.ofVirtual().start(() -> {
            try {
                api.call(request[0], request[1], request[2]);
            } catch (Exception e) {
                // the kill cut it short: what it did is for the restart to finish or undo
            }
        });
        Thread.sleep(random.nextInt(401));
        weftd.kill();
        inFlight.join(TimeUnit.SECONDS.toMillis(30));
        long t = System.nanoTime();
        weftd.restart();
        return System.nanoTime() - t;
    }
}
