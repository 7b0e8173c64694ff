package com.example.shop;

import dev.spine.jobs.JobType;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** A shop that ships its orders with a spine job: the starter configures the queue, the bus and the health. */
@SpringBootApplication
public class ShopApplication {
    /** The job type: the starter gives its jobs to the TypedJobHandler&lt;ShipOrder&gt; bean. */
    @Bean
    JobType<ShipOrder> shipOrderType() {
        return ShipOrder.TYPE;
    }

    public static void main(String[] args) {
        SpringApplication.run(ShopApplication.class, args);
    }
}
