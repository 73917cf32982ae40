package dev.weft.engine.ipam;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;


import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The paged bitmap behaves exactly like java.util.BitSet, whatever the operations. */
class AddressBitmapProperties {

    record Op(boolean set, int index) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> index = Arbitraries.oneOf(Arbitraries.integers().between(0, 20_000),
                Arbitraries.integers().between(4090, 4100), Arbitraries.integers().between(8190, 8200));
        return Arbitraries.integers().between(0, 3).flatMap(kind -> index.map(i -> new Op(kind != 0, i)))
                .list().ofMaxSize(400);
    }

    @Property(tries = 200)
    void matchesBitSet(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 0, max = 20_000) int probe) {
        AddressBitmap bitmap = new AddressBitmap(20_001);
        BitSet model = new BitSet();
        for (Op op : ops) {
            if (op.set()) {
                assertThat(bitmap.set(op.index())).isEqualTo(!model.get(op.index()));
                model.set(op.index());
            } else {
                assertThat(bitmap.clear(op.index())).isEqualTo(model.get(op.index()));
                model.clear(op.index());
            }
        }
        assertThat(bitmap.allocated()).isEqualTo(model.cardinality());
        assertThat(bitmap.isSet(probe)).isEqualTo(model.get(probe));
        long clear = model.nextClearBit(probe);
        assertThat(bitmap.nextClear(probe, 20_001)).isEqualTo(clear >= 20_001 ? -1 : clear);
        assertThat(bitmap.nextSet(probe, 20_001)).isEqualTo(model.nextSetBit(probe));
    }

    @Property(tries = 50)
    void hugeRangesCostOnlyWhatIsSet(@ForAll @LongRange(min = 0, max = (1L << 62) - 1) long index) {
        AddressBitmap bitmap = new AddressBitmap(1L << 62);
        assertThat(bitmap.nextClear(index, 1L << 62)).isEqualTo(index);
        bitmap.set(index);
        assertThat(bitmap.nextSet(0, 1L << 62)).isEqualTo(index);
        assertThat(bitmap.nextSet(index + 1, 1L << 62)).isEqualTo(-1);
        assertThat(bitmap.nextClear(index, 1L << 62)).isEqualTo(index + 1 == 1L << 62 ? -1 : index + 1);
        bitmap.clear(index);
        assertThat(bitmap.nextSet(0, 1L << 62)).isEqualTo(-1);
    }
}
