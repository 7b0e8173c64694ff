package dev.spine.server.cli;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.SettingsReader;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;

/** A command-line duration written as the settings write them: {@code 250ms}, {@code 30s}, {@code 5m}, {@code PT5M}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final String OPTION = "duration";

    @Override
    public Duration convert(String value) {
        try {
            return new SettingsReader(Map.of(OPTION, value)::get, Map.of(OPTION, new String[] {"", ""})).duration(OPTION);
        } catch (ConfigException e) {
            throw new CommandLine.TypeConversionException("must be a duration like 30s, 5m or PT5M, was '" + value + "'");
        }
    }
}
