package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.contracts.Domains;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.server.ServerConfig;
import dev.spine.server.SpineServer;
import dev.spine.server.cli.SpineCli;
import dev.spine.testkit.PrivateNats;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamConfiguration;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * On a 3-node cluster: streams a client made at R3 with one more domain ({@code billing}) keep their replicas
 * and that domain's subject while a job service with the default topology (R1, the platform's domains)
 * starts and restarts; {@code spine streams plan} lists both differences and {@code spine streams apply}
 * makes them.
 */
@ExtendWith(SpineServices.class)
class StreamProvisioningClusterTest {
    static final String PREFIX = "PV";

    @Test
    void aDefaultProcessNeverShrinksClusterStreamsAndPlanApplyMakeTheChange(TestDatabase db, @TempDir Path tmp)
            throws Exception {
        List<PrivateNats> nodes = ClusterNodeLossTest.cluster(tmp, 3);
        try {
            String urls = nodes.stream().map(PrivateNats::url).collect(Collectors.joining(","));
            ServerConfig defaults = Fixture.config(db.url(), db.schema(), urls, PREFIX, Map.of());
            StreamTopology wide = StreamTopology.builder().streamNamePrefix(PREFIX + "_").subjectPrefix(PREFIX + ".")
                    .replicas(3).domains(Domains.defaults().with("billing")).build();
            String billing = PREFIX + ".billing.*";
            try (Connection connection = Fixture.connect(urls);
                 Spine client = Spine.builder(connection).topology(wide).build()) {
                client.provision();
                JetStreamManagement jsm = connection.jetStreamManagement();
                assertReplicas(jsm, wide, 3);

                assertEquals(1, defaults.engine().topology().replicas(), "the job service's default topology");
                for (int start = 1; start <= 2; start++) { // a start and a restart
                    // start() provisions with the default topology before it returns
                    SpineServer.builder(defaults).discoverHandlers(false).build().start().close();
                    assertReplicas(jsm, wide, 3);
                    List<String> subjects = config(jsm, wide.platformStream()).getSubjects();
                    assertTrue(subjects.contains(billing), "start " + start + " kept " + billing + ": " + subjects);
                }
                assertTrue(client.publish(Fixture.event(1).toBuilder().eventType("billing.InvoicePaid").build())
                        .sequence() > 0, "the extra domain's events are still captured");

                String[] on = {"--nats-url", urls, "--stream-prefix", PREFIX + "_", "--subject-prefix", PREFIX + "."};
                Run plan = cli("streams", "plan", on);
                assertEquals(0, plan.exit(), plan.err());
                for (String stream : List.of(wide.platformStream(), wide.connectorStream(), wide.auditStream(),
                        wide.deadLetterStream())) {
                    assertTrue(plan.out().matches("(?s).*" + stream + "\\s+replicas\\s+3\\s+1\\s+SHRINK.*"), plan.out());
                }
                assertTrue(plan.out().matches("(?s).*" + wide.platformStream() + "\\s+subjects\\s+"
                        + java.util.regex.Pattern.quote(billing) + "\\s+-\\s+SHRINK.*"), plan.out());
                assertTrue(plan.out().contains("5 difference(s)"), plan.out());
                Run same = cli("streams", "plan", on, "--replicas", "3", "--domains",
                        String.join(",", wide.domains().names()));
                assertTrue(same.out().contains("no differences"), "the client's own topology: " + same.out());

                Run apply = cli("streams", "apply", on, "--allow-shrink");
                assertEquals(0, apply.exit(), apply.err());
                assertTrue(apply.out().contains("5 change(s) applied"), apply.out());
                assertReplicas(jsm, wide, 1);
                assertEquals(defaults.engine().topology().platformSubjects(), config(jsm, wide.platformStream()).getSubjects());
                assertTrue(cli("streams", "plan", on).out().contains("no differences"));
            }
        } finally {
            nodes.forEach(PrivateNats::close);
        }
    }

    private static void assertReplicas(JetStreamManagement jsm, StreamTopology t, int replicas) throws Exception {
        for (String stream : List.of(t.platformStream(), t.connectorStream(), t.auditStream(), t.deadLetterStream())) {
            assertEquals(replicas, config(jsm, stream).getReplicas(), stream);
        }
    }

    private static StreamConfiguration config(JetStreamManagement jsm, String stream) throws Exception {
        return jsm.getStreamInfo(stream).getConfiguration();
    }

    record Run(int exit, String out, String err) {}

    private static Run cli(String command, String sub, String[] on, String... more) {
        List<String> args = new ArrayList<>(List.of(command, sub));
        args.addAll(List.of(on));
        args.addAll(List.of(more));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new SpineCli()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }
}
