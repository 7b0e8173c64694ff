package dev.spine.spring.boot;

import dev.spine.events.Spine;
import dev.spine.events.postgres.OutboxRelay;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code spine} health component, when Spring Boot's health support (Actuator) is on the class path. */
@AutoConfiguration(after = SpineAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
public class SpineHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "spineHealthIndicator")
    SpineHealthIndicator spineHealthIndicator(ObjectProvider<DataSource> dataSource, ObjectProvider<Spine> spine,
            ObjectProvider<OutboxRelay> relay) {
        return new SpineHealthIndicator(dataSource.getIfUnique(), spine.getIfAvailable(), relay.getIfAvailable());
    }
}
