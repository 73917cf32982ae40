package dev.weft.commandmodels;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Range;

/**
 * -h/--help and -V/--version as picocli's {@code mixinStandardHelpOptions = true} adds them, built
 * without reading picocli's own annotated mixin class by reflection (what
 * {@code CommandSpec.mixinStandardHelpOptions(true)} does). The generated CommandModels use it;
 * the CLI's and weftd's CommandModelsTest check it against picocli's.
 */
public final class StandardHelpOptions {
    /** The key picocli files its standard help mixin under ({@code CommandSpec.mixinStandardHelpOptions()} looks for it). */
    static final String KEY = "mixinStandardHelpOptions";

    private final Flag helpRequested = new Flag();
    private final Flag versionRequested = new Flag();

    private StandardHelpOptions() {
    }

    /** Adds the standard help options to {@code spec} unless it has options of those names already, as picocli does. */
    public static void addTo(CommandSpec spec) {
        StandardHelpOptions flags = new StandardHelpOptions();
        CommandSpec mixin = CommandSpec.wrapWithoutInspection(flags);
        mixin.addOption(flag(new String[] {"${picocli.help.name.0:--h}", "${picocli.help.name.1:---help}"}, "helpRequested",
                "mixinStandardHelpOptions.help", "Show this help message and exit.", flags.helpRequested, false));
        mixin.addOption(flag(new String[] {"${picocli.version.name.0:--V}", "${picocli.version.name.1:---version}"},
                "versionRequested", "mixinStandardHelpOptions.version", "Print version information and exit.",
                flags.versionRequested, true));
        for (String name : mixin.optionsMap().keySet()) {
            if (spec.optionsMap().containsKey(name)) {
                return;
            }
        }
        spec.addMixin(KEY, mixin);
    }

    private static OptionSpec flag(String[] names, String field, String key, String description, Flag flag,
            boolean version) {
        OptionSpec.Builder b = OptionSpec.builder(names)
                .usageHelp(!version)
                .versionHelp(version)
                .paramLabel("<" + field + ">")
                .arity(Range.valueOf("0").unspecified(true))
                .descriptionKey(key)
                .description(description)
                .fallbackValue("")
                .type(boolean.class)
                .auxiliaryTypes(boolean.class)
                .initialValue(false).hasInitialValue(true)
                .getter(flag).setter(flag)
                .prompt("")
                .withToString("field boolean picocli.CommandLine$AutoHelpMixin." + field);
        // as the annotation leaves it; mapFallbackValue returns picocli's package-private builder type
        b.mapFallbackValue("__unspecified__");
        return b.build();
    }

    /** One boolean as picocli's getter and setter. */
    private static final class Flag implements IGetter, ISetter {
        private boolean value;

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) Boolean.valueOf(value);
        }

        @Override
        public <T> T set(T v) {
            T old = get();
            value = (Boolean) v;
            return old;
        }
    }
}
