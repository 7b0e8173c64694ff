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
        Duration d;
        try {
            d = new SettingsReader(Map.of(OPTION, value)::get, Map.of(OPTION, new String[] {"", ""})).duration(OPTION);
        } catch (ConfigException e) {
            d = null;
        }
        if (d == null || d.isNegative()) {
            throw new CommandLine.TypeConversionException("must be a duration like 30s, 5m or PT5M, was '" + value + "'");
        }
        return d;
    }
}
