package dev.spine.events;

/** Receives the events of a {@link LiveFeed}, one at a time; throwing (the client went away) ends the feed. */
@FunctionalInterface
public interface LiveFeedHandler {
    void onEvent(StoredEvent event) throws Exception;
}
