package dev.spine.server.cli;

import dev.spine.contracts.InvalidEventException;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobErrorCode;
import dev.spine.contracts.ConfigException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code spine} command shares: connection options, output through picocli's writers (so
 * tests can capture it), and one place that turns failures into a message on stderr and an exit code:
 * {@value #OK} done, {@value #FAILED} failed (e.g. a server unreachable), {@value #INVALID} invalid input
 * (printed as {@code CODE field: message}), {@value #NOT_FOUND} the thing named does not exist.
 */
abstract class SpineCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID = 2;
    /** Not 3..6: the ./spine launcher uses those for its own failures (toolchain, build, services, check). */
    static final int NOT_FOUND = 7;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    /** Runs the command with its connections; returns the exit code. */
    abstract int run(Backends backends) throws Exception;

    @Override
    public final Integer call() {
        try (Backends backends = new Backends(connection.config(), connection.given(System.getenv()::get))) {
            int code = run(backends);
            out().flush();
            return code;
        } catch (CommandFailure e) {
            return fail(e.exitCode(), e.code(), e.field(), e.getMessage());
        } catch (InvalidEventException e) {
            return fail(INVALID, e.code().name(), e.field(), e.getMessage());
        } catch (InvalidJobException e) {
            return fail(e.code() == JobErrorCode.NOT_FOUND || e.code() == JobErrorCode.UNKNOWN_QUEUE ? NOT_FOUND
                    : INVALID, e.code().name(), e.field(), e.getMessage());
        } catch (ConfigException e) {
            return fail(INVALID, "INVALID_CONFIG", e.variable(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(FAILED, "INTERRUPTED", null, "interrupted");
        } catch (Exception e) {
            return fail(FAILED, "FAILED", null, describe(e));
        }
    }

    private int fail(int exitCode, String code, String field, String message) {
        err().println(spec.qualifiedName() + ": " + code + (field == null ? "" : " " + field) + ": " + message);
        err().flush();
        return exitCode;
    }

    /** The exception and its causes on one line: enough to act on, without a stack trace. */
    static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append(" (caused by ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(')');
        }
        return s.toString();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
