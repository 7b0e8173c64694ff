package dev.spine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The mixed drain's run path, tiny: both processes drain their own type; no figure is asserted. */
@ExtendWith(SpineServices.class)
class MixedDrainTest {

    @Test
    void twoProcessesDrainTheirOwnTypesOfOneQueue(TestDatabase db) throws Exception {
        double perSecond = MixedDrain.perSecond(db.url(), db.schema(), 300, 2, 20);

        assertTrue(perSecond > 0);
        for (String type : MixedDrain.TYPES) {
            assertEquals(150, db.queryLong("select count(*) from " + db.schema() + ".job_archive where type = '" + type
                    + "' and state = 'completed' and attempt = 1"), type);
        }
        assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".dead_job"));
    }
}
