package dev.spine.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects {@link TestDatabase} and {@link TestNats} parameters into test methods,
 * constructors and lifecycle methods. Each injection is isolated (own schema, own stream prefix) and
 * cleaned up when its scope (the test method, or the class for {@code @BeforeAll}) ends.
 *
 * <pre>{@code
 * @ExtendWith(SpineServices.class)
 * class QueueTest {
 *     @Test void runs(TestDatabase db, TestNats nats) { ... }
 * }
 * }</pre>
 */
public final class SpineServices implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SpineServices.class);

    /** Created by JUnit for {@code @ExtendWith(SpineServices.class)}. */
    public SpineServices() {}

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestDatabase.class || type == TestNats.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        String key = type.getName() + "#" + parameter.getIndex() + "#" + parameter.getDeclaringExecutable();
        try {
            if (type == TestDatabase.class) {
                String label = context.getTestMethod().map(m -> m.getName())
                        .orElseGet(() -> context.getRequiredTestClass().getSimpleName());
                return store.getOrComputeIfAbsent(key,
                        k -> new CloseOnEnd<>(new TestDatabase(ServiceResolver.postgresUrl(), label)),
                        CloseOnEnd.class).resource();
            }
            return store.getOrComputeIfAbsent(key,
                    k -> new CloseOnEnd<>(new TestNats(ServiceResolver.natsUrl())), CloseOnEnd.class).resource();
        } catch (IllegalStateException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    /** Ties a resource's close to the end of the JUnit scope that created it. */
    record CloseOnEnd<T extends AutoCloseable>(T resource) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            resource.close();
        }
    }
}
