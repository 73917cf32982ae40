package dev.weft.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 3-member etcd cluster and a 3-server ZooKeeper ensemble on simulated hosts: each elects a
 * leader, keeps a written key when its leader is killed, elects another, and takes the old leader
 * back on its data.
 */
class StoreClusterTest {
    @TempDir
    Path dir;

    @Test
    void anEtcdClusterSurvivesItsLeadersDeath() {
        try (SimulatedHosts hosts = SimulatedHosts.create(4); StoreCluster etcd = StoreCluster.etcd(hosts.hosts().subList(0, 3), dir)) {
            assertThat(etcd.url()).isEqualTo("etcd://192.0.2.1:2379,192.0.2.2:2379,192.0.2.3:2379");
            SimulatedHost client = hosts.get(3);
            String endpoints = etcd.url().substring("etcd://".length());
            client.exec("etcdctl", "--endpoints", endpoints, "put", "k", "v1");
            int leader = awaitLeader(etcd, -1);
            etcd.member(leader).kill();
            int next = awaitLeader(etcd, leader);
            assertThat(next).isNotEqualTo(leader);
            assertThat(client.exec("etcdctl", "--endpoints", endpoints, "get", "--print-value-only", "k").strip()).isEqualTo("v1");
            etcd.start(leader);
            assertThat(client.exec("etcdctl", "--endpoints", etcd.member(leader).hostPort(), "get", "--print-value-only",
                    "--consistency=s", "k").strip()).isEqualTo("v1");
        }
    }

    @Test
    void aZooKeeperEnsembleElectsAnotherLeader() {
        try (SimulatedHosts hosts = SimulatedHosts.create(3); StoreCluster zk = StoreCluster.zookeeper(hosts.hosts(), dir)) {
            assertThat(zk.url()).isEqualTo("zk://192.0.2.1:2181,192.0.2.2:2181,192.0.2.3:2181");
            int leader = awaitLeader(zk, -1);
            zk.member(leader).kill();
            int next = awaitLeader(zk, leader);
            assertThat(next).isNotEqualTo(leader);
            zk.start(leader);
            assertThat(zk.member(leader).srvr()).contains("Mode: follower");
        }
    }

    /** Waits up to 20 s for a leader other than {@code not}. */
    private static int awaitLeader(StoreCluster c, int not) {
        for (int i = 0; i < 200; i++) {
            int l = c.leader();
            if (l >= 0 && l != not) {
                return l;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("no leader within 20 s");
    }
}
