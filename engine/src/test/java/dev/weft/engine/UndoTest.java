package dev.weft.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UndoTest {

    @Test
    void aFailedOperationIsUndoneInReverseOrder() {
        List<String> log = new ArrayList<>();
        assertThatThrownBy(() -> {
            try (Undo undo = new Undo()) {
                log.add("create bridge");
                undo.push("delete bridge", () -> log.add("delete bridge"));
                log.add("create veth");
                undo.push("delete veth", () -> log.add("delete veth"));
                throw new IllegalStateException("address add failed");
            }
        }).hasMessage("address add failed");
        assertThat(log).containsExactly("create bridge", "create veth", "delete veth", "delete bridge");
    }

    @Test
    void aCommittedOperationKeepsItsSteps() {
        List<String> log = new ArrayList<>();
        try (Undo undo = new Undo()) {
            undo.push("delete bridge", () -> log.add("delete bridge"));
            undo.commit();
        }
        assertThat(log).isEmpty();
    }

    @Test
    void aFailingInverseDoesNotStopTheOthersAndIsReported() {
        List<String> log = new ArrayList<>();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> {
            try (Undo undo = new Undo()) {
                undo.push("delete bridge", () -> log.add("delete bridge"));
                undo.push("delete veth", () -> {
                    throw new IllegalStateException("EBUSY");
                });
                throw new IllegalArgumentException("original");
            }
        });
        assertThat(thrown).hasMessage("original");
        assertThat(thrown.getSuppressed()).singleElement().satisfies(s ->
                assertThat(s).hasMessage("rollback: cannot delete veth: EBUSY"));
        assertThat(log).containsExactly("delete bridge");
    }
}
