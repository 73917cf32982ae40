package dev.weft.commandmodels;

import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.annotation.processing.SupportedOptions;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a module's picocli annotations into {@code PACKAGE.CommandModels} (PACKAGE: the option
 * {@value #PACKAGE_OPTION}, where the commands are): code that builds each command's
 * {@code CommandSpec} with picocli's programmatic API, so that the program reads no annotation at
 * run time (reading them made the JDK generate a proxy class per annotation type, the largest part
 * of a short CLI command's run and about 40 ms of weftd's start-up; docs/design.md). The generated model follows what
 * picocli's reflection would build from the same annotations (defaults of arity, labels and
 * indexes included); CommandModelsTest compares the two for every command. Attributes this
 * processor does not translate are compile errors, never silently dropped.
 */
@SupportedAnnotationTypes("picocli.CommandLine.Command")
@SupportedOptions(CommandModelProcessor.PACKAGE_OPTION)
public final class CommandModelProcessor extends AbstractProcessor {
    /** The processor option naming the package of the generated {@code CommandModels}, the commands' package. */
    public static final String PACKAGE_OPTION = "weft.commandmodels.package";
    private static final String PICOCLI = "picocli.CommandLine.";
    private static final Set<String> COMMAND_ATTRIBUTES = Set.of("name", "aliases", "description", "version",
            "mixinStandardHelpOptions");
    private static final Set<String> OPTION_ATTRIBUTES = Set.of("names", "required", "description", "descriptionKey",
            "arity", "paramLabel", "hidden", "defaultValue", "fallbackValue", "scope", "split", "order", "negatable",
            "showDefaultValue");
    private static final Set<String> PARAMETERS_ATTRIBUTES = Set.of("index", "description", "descriptionKey", "arity",
            "paramLabel", "hidden", "defaultValue", "scope", "split", "showDefaultValue");
    private static final Set<String> UNSUPPORTED_MEMBERS = Set.of("Mixin", "ArgGroup", "Unmatched");

    private final List<TypeElement> commands = new ArrayList<>();
    private final Map<String, String> fieldCases = new LinkedHashMap<>();

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        for (TypeElement annotation : annotations) {
            for (Element e : round.getElementsAnnotatedWith(annotation)) {
                if (e.getKind() == ElementKind.CLASS && !e.getModifiers().contains(Modifier.ABSTRACT)) {
                    commands.add((TypeElement) e);
                } else {
                    error(e, "@Command on something other than a concrete class is not supported by " + getClass().getSimpleName());
                }
            }
        }
        if (round.processingOver() || commands.isEmpty()) {
            return false;
        }
        // subclasses before their superclasses, so the instanceof chains pick the most specific class
        commands.sort(Comparator.comparingInt(this::depth).reversed().thenComparing(c -> c.getQualifiedName().toString()));
        String pkg = processingEnv.getOptions().get(PACKAGE_OPTION);
        if (pkg == null || pkg.isBlank()) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    getClass().getSimpleName() + " needs -A" + PACKAGE_OPTION + "=PACKAGE, the commands' package");
            return false;
        }
        try (Writer w = processingEnv.getFiler().createSourceFile(pkg + ".CommandModels",
                commands.toArray(Element[]::new)).openWriter()) {
            w.write(source(pkg));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        commands.clear();
        return false;
    }

    private String source(String pkg) {
        StringBuilder specs = new StringBuilder();
        StringBuilder names = new StringBuilder();
        StringBuilder creates = new StringBuilder();
        StringBuilder dispatch = new StringBuilder();
        StringBuilder parents = new StringBuilder();
        for (TypeElement c : commands) {
            String type = c.getQualifiedName().toString();
            String method = "spec" + c.getQualifiedName().toString().replace(pkg + ".", "").replace(".", "");
            names.append("        if (c == ").append(type).append(".class) {\n            return new String[] {")
                    .append(strings(commandNames(c))).append("};\n        }\n");
            creates.append("        if (c == ").append(type).append(".class) {\n            return new ").append(type).append("();\n        }\n");
            dispatch.append("        if (command instanceof ").append(type).append(" c) {\n            return ").append(method).append("(c);\n        }\n");
            specs.append(spec(c, type, method, parents));
        }
        return """
                package @PACKAGE@;

                import picocli.CommandLine.Model.CommandSpec;
                import picocli.CommandLine.Model.IGetter;
                import picocli.CommandLine.Model.ISetter;
                import picocli.CommandLine.Model.OptionSpec;
                import picocli.CommandLine.Model.PositionalParamSpec;
                import picocli.CommandLine.Range;

                /**
                 * The command models of this package, generated at compile time by dev.weft.commandmodels.CommandModelProcessor
                 * from the commands' picocli annotations: nothing here reads an annotation at run time.
                 */
                @javax.annotation.processing.Generated("dev.weft.commandmodels.CommandModelProcessor")
                final class CommandModels {
                    private CommandModels() {
                    }

                    /** The name and aliases of a command class; null for a class without a generated model. */
                    static String[] names(Class<?> c) {
                @NAMES@        return null;
                    }

                    /** A new instance of a command class; null for a class without a generated model. */
                    static Object create(Class<?> c) {
                @CREATES@        return null;
                    }

                    /** The model of {@code command}, its @Spec fields set; null for a class without a generated model. */
                    static CommandSpec spec(Object command) {
                @DISPATCH@        return null;
                    }

                    /** Sets the @ParentCommand fields of {@code child} that {@code parent} fits, as picocli does when adding a subcommand. */
                    static void parent(Object child, Object parent) {
                @PARENTS@    }
                @SPECS@
                    /** A field of a command as picocli's getter and setter. */
                    private record Field(Object target, int id) implements IGetter, ISetter {
                        @Override
                        @SuppressWarnings("unchecked")
                        public <T> T get() {
                            return (T) switch (id) {
                @GETTERS@                default -> throw new IllegalStateException("no field " + id);
                            };
                        }

                        @Override
                        @SuppressWarnings("unchecked")
                        public <T> T set(T value) {
                            T old = get();
                            switch (id) {
                @SETTERS@                default -> throw new IllegalStateException("no field " + id);
                            }
                            return old;
                        }
                    }
                }
                """
                .replace("@PACKAGE@", pkg).replace("@NAMES@", names).replace("@CREATES@", creates).replace("@DISPATCH@", dispatch)
                .replace("@PARENTS@", parents).replace("@SPECS@", specs).replace("@GETTERS@", fieldCases("get"))
                .replace("@SETTERS@", fieldCases("set"));
    }

    private String spec(TypeElement c, String type, String method, StringBuilder parents) {
        StringBuilder b = new StringBuilder();
        b.append("\n    private static CommandSpec ").append(method).append("(").append(type).append(" c) {\n");
        b.append("        CommandSpec s = CommandSpec.wrapWithoutInspection(c);\n");
        boolean standardHelp = false;
        List<TypeElement> hierarchy = hierarchy(c);
        for (TypeElement t : hierarchy) {
            AnnotationMirror command = mirror(t, "Command");
            if (command != null) {
                checkExplicit(t, command, COMMAND_ATTRIBUTES);
                Map<String, AnnotationValue> v = values(command);
                String name = (String) v.get("name").getValue();
                if (!name.equals("<main class>")) {
                    b.append("        s.name(").append(literal(name)).append(");\n");
                }
                b.append("        s.aliases(new String[] {").append(strings(stringList(v.get("aliases")))).append("});\n");
                if (!stringList(v.get("version")).isEmpty()) {
                    b.append("        s.version(new String[] {").append(strings(stringList(v.get("version")))).append("});\n");
                }
                b.append("        s.usageMessage().description(new String[] {").append(strings(stringList(v.get("description")))).append("});\n");
                standardHelp |= (Boolean) v.get("mixinStandardHelpOptions").getValue();
            }
        }
        StringBuilder parentCase = new StringBuilder();
        for (TypeElement t : hierarchy) {
            for (VariableElement f : ElementFilter.fieldsIn(t.getEnclosedElements())) {
                member(c, f, b, parentCase);
            }
        }
        if (standardHelp) {
            b.append("        dev.weft.commandmodels.StandardHelpOptions.addTo(s);\n");
        }
        b.append("        return s;\n    }\n");
        if (!parentCase.isEmpty()) {
            parents.append("        if (child instanceof ").append(type).append(" c) {\n").append(parentCase)
                    .append("            return;\n        }\n");
        }
        return b.toString();
    }

    private void member(TypeElement command, VariableElement f, StringBuilder b, StringBuilder parentCase) {
        for (String unsupported : UNSUPPORTED_MEMBERS) {
            if (mirror(f, unsupported) != null) {
                error(f, "@" + unsupported + " is not supported by " + getClass().getSimpleName());
            }
        }
        AnnotationMirror option = mirror(f, "Option");
        AnnotationMirror parameters = mirror(f, "Parameters");
        AnnotationMirror spec = mirror(f, "Spec");
        AnnotationMirror parent = mirror(f, "ParentCommand");
        if (option == null && parameters == null && spec == null && parent == null) {
            return;
        }
        if (f.getModifiers().contains(Modifier.PRIVATE) || f.getModifiers().contains(Modifier.STATIC)
                || f.getModifiers().contains(Modifier.FINAL)) {
            error(f, "picocli fields must be neither private, static nor final for the generated command model");
            return;
        }
        String name = f.getSimpleName().toString();
        if (spec != null) {
            if (!values(spec).get("value").getValue().toString().equals("SELF")) {
                error(f, "only @Spec(SELF) is supported by " + getClass().getSimpleName());
            }
            b.append("        c.").append(name).append(" = s;\n");
        }
        if (parent != null) {
            String parentType = processingEnv.getTypeUtils().erasure(f.asType()).toString();
            parentCase.append("            if (parent instanceof ").append(parentType).append(" p) {\n                c.")
                    .append(name).append(" = p;\n            }\n");
        }
        if (option != null) {
            checkExplicit(f, option, OPTION_ATTRIBUTES);
            Map<String, AnnotationValue> v = values(option);
            b.append("        OptionSpec.Builder ").append(name).append("Arg = OptionSpec.builder(new String[] {")
                    .append(strings(stringList(v.get("names")))).append("})\n");
            b.append("                .required(").append(v.get("required").getValue()).append(")\n");
            b.append("                .negatable(").append(v.get("negatable").getValue()).append(")\n");
            b.append("                .order(").append(v.get("order").getValue()).append(")\n");
            String fallback = (String) v.get("fallbackValue").getValue();
            if (fallback.equals("_NULL_")) {
                error(f, "fallbackValue = NULL_VALUE is not supported by " + getClass().getSimpleName());
            }
            b.append("                .fallbackValue(").append(literal(fallback)).append(")\n");
            String arity = (String) v.get("arity").getValue();
            b.append("                .arity(").append(arity.isEmpty() ? unspecified(isBoolean(f.asType()) ? "0" : "1")
                    : "\"" + arity + "\"").append(")\n");
            argument(command, f, v, b);
            b.append("        s.addOption(").append(name).append("Arg.build());\n");
        }
        if (parameters != null) {
            checkExplicit(f, parameters, PARAMETERS_ATTRIBUTES);
            Map<String, AnnotationValue> v = values(parameters);
            String arity = (String) v.get("arity").getValue();
            String range = arity.isEmpty() ? unspecified(isMultiValue(f.asType()) ? "0..1" : "1") : "Range.valueOf(\"" + arity + "\")";
            b.append("        Range ").append(name).append("Arity = ").append(range).append(";\n");
            b.append("        PositionalParamSpec.Builder ").append(name).append("Arg = PositionalParamSpec.builder()\n");
            String index = (String) v.get("index").getValue();
            if (!index.isEmpty()) {
                b.append("                .index(\"").append(index).append("\")\n");
            }
            b.append("                .arity(").append(name).append("Arity)\n");
            b.append("                .required(").append(name).append("Arity.min() > 0)\n");
            argument(command, f, v, b);
            b.append("        s.addPositional(").append(name).append("Arg.build());\n");
        }
    }

    /** What @Option and @Parameters share: labels, texts, defaults, the field's type, value and accessors. */
    private void argument(TypeElement command, VariableElement f, Map<String, AnnotationValue> v, StringBuilder b) {
        TypeMirror type = f.asType();
        String name = f.getSimpleName().toString();
        b.append("                .paramLabel(").append(literal(paramLabel((String) v.get("paramLabel").getValue(), name, type))).append(")\n");
        b.append("                .description(new String[] {").append(strings(stringList(v.get("description")))).append("})\n");
        b.append("                .descriptionKey(").append(literal((String) v.get("descriptionKey").getValue())).append(")\n");
        b.append("                .hidden(").append(v.get("hidden").getValue()).append(")\n");
        b.append("                .splitRegex(").append(literal((String) v.get("split").getValue())).append(")\n");
        b.append("                .splitRegexSynopsisLabel(").append(literal((String) v.get("splitSynopsisLabel").getValue())).append(")\n");
        b.append("                .hideParamSyntax(").append(v.get("hideParamSyntax").getValue()).append(")\n");
        b.append("                .interactive(").append(v.get("interactive").getValue()).append(")\n");
        b.append("                .echo(").append(v.get("echo").getValue()).append(")\n");
        b.append("                .prompt(").append(literal((String) v.get("prompt").getValue())).append(")\n");
        b.append("                .showDefaultValue(picocli.CommandLine.Help.Visibility.").append(v.get("showDefaultValue").getValue()).append(")\n");
        b.append("                .scopeType(picocli.CommandLine.ScopeType.").append(v.get("scope").getValue()).append(")\n");
        String defaultValue = (String) v.get("defaultValue").getValue();
        if (defaultValue.equals("_NULL_")) {
            error(f, "defaultValue = NULL_VALUE is not supported by " + getClass().getSimpleName());
        } else if (!defaultValue.equals("__no_default_value__")) {
            b.append("                .defaultValue(").append(literal(defaultValue)).append(")\n");
        }
        b.append("                .type(").append(classLiteral(type)).append(")\n");
        b.append("                .auxiliaryTypes(").append(String.join(", ", auxiliaryTypes(type))).append(")\n");
        int id = fieldCases.size() / 2;
        String owner = command.getQualifiedName().toString();
        String boxed = type.getKind().isPrimitive()
                ? processingEnv.getTypeUtils().boxedClass((javax.lang.model.type.PrimitiveType) type).getQualifiedName().toString()
                : type.toString();
        fieldCases.put(id + "get", "                case " + id + " -> ((" + owner + ") target)." + name + ";\n");
        fieldCases.put(id + "set", "                case " + id + " -> ((" + owner + ") target)." + name + " = (" + boxed + ") value;\n");
        b.append("                .initialValue(c.").append(name).append(").hasInitialValue(true)\n");
        b.append("                .getter(new Field(c, ").append(id).append(")).setter(new Field(c, ").append(id).append("))\n");
        String binary = processingEnv.getElementUtils().getBinaryName((TypeElement) f.getEnclosingElement()).toString();
        b.append("                .withToString(").append(literal(("field " + reflectionName(type) + " " + binary + "." + name).replace("java.lang.", ""))).append(");\n");
        // mapFallbackValue returns picocli's package-private builder type, so it cannot be chained from here
        String mapFallback = (String) v.get("mapFallbackValue").getValue();
        b.append("        ").append(name).append("Arg.mapFallbackValue(").append(mapFallback.equals("_NULL_") ? "null" : literal(mapFallback)).append(");\n");
    }

    /** A type as java.lang.reflect writes it (Field.toGenericString): binary class names, ", " between type arguments. */
    private String reflectionName(TypeMirror t) {
        if (t.getKind().isPrimitive()) {
            return t.toString();
        }
        if (t.getKind() == TypeKind.ARRAY) {
            return reflectionName(((javax.lang.model.type.ArrayType) t).getComponentType()) + "[]";
        }
        if (t instanceof DeclaredType d) {
            String raw = processingEnv.getElementUtils().getBinaryName((TypeElement) d.asElement()).toString();
            if (d.getTypeArguments().isEmpty()) {
                return raw;
            }
            return raw + "<" + String.join(", ", d.getTypeArguments().stream().map(this::reflectionName).toList()) + ">";
        }
        return t.toString();
    }

    /** The accessor switch's cases of one kind, "get" or "set". */
    private String fieldCases(String kind) {
        StringBuilder s = new StringBuilder();
        fieldCases.forEach((k, v) -> {
            if (k.endsWith(kind)) {
                s.append(v);
            }
        });
        return s.toString();
    }

    /** picocli's label when none is given: the field's name in angle brackets, KEY=VALUE types for a map. */
    private String paramLabel(String given, String field, TypeMirror type) {
        if (!given.trim().isEmpty()) {
            return given.trim();
        }
        if (isMap(type)) {
            List<? extends TypeMirror> args = ((DeclaredType) type).getTypeArguments();
            if (args.size() < 2) {
                return "<String=String>";
            }
            return "<" + simpleName(args.get(0)) + "=" + simpleName(args.get(1)) + ">";
        }
        return "<" + field + ">";
    }

    private String simpleName(TypeMirror t) {
        return processingEnv.getTypeUtils().asElement(t).getSimpleName().toString();
    }

    private String unspecified(String range) {
        return "Range.valueOf(\"" + range + "\").unspecified(true)";
    }

    private List<String> auxiliaryTypes(TypeMirror type) {
        List<String> out = new ArrayList<>();
        if (type.getKind() == TypeKind.ARRAY) {
            out.add(classLiteral(((javax.lang.model.type.ArrayType) type).getComponentType()));
        } else if (type instanceof DeclaredType d && !d.getTypeArguments().isEmpty()) {
            d.getTypeArguments().forEach(a -> out.add(classLiteral(a)));
        } else {
            out.add(classLiteral(type));
        }
        return out;
    }

    private String classLiteral(TypeMirror t) {
        return processingEnv.getTypeUtils().erasure(t).toString() + ".class";
    }

    private boolean isBoolean(TypeMirror t) {
        return t.getKind() == TypeKind.BOOLEAN || t.toString().equals("java.lang.Boolean");
    }

    private boolean isMultiValue(TypeMirror t) {
        return t.getKind() == TypeKind.ARRAY || isSubtype(t, "java.util.Collection") || isMap(t);
    }

    private boolean isMap(TypeMirror t) {
        return isSubtype(t, "java.util.Map");
    }

    private boolean isSubtype(TypeMirror t, String type) {
        var types = processingEnv.getTypeUtils();
        return t.getKind() == TypeKind.DECLARED && types.isAssignable(types.erasure(t),
                types.erasure(processingEnv.getElementUtils().getTypeElement(type).asType()));
    }

    private List<TypeElement> hierarchy(TypeElement c) {
        List<TypeElement> out = new ArrayList<>();
        for (TypeElement t = c; t != null && !t.getQualifiedName().contentEquals("java.lang.Object"); ) {
            out.addFirst(t);
            TypeMirror sup = t.getSuperclass();
            t = sup.getKind() == TypeKind.DECLARED ? (TypeElement) ((DeclaredType) sup).asElement() : null;
        }
        return out;
    }

    private int depth(TypeElement c) {
        return hierarchy(c).size();
    }

    private List<String> commandNames(TypeElement c) {
        Map<String, AnnotationValue> v = values(mirror(c, "Command"));
        List<String> names = new ArrayList<>();
        names.add((String) v.get("name").getValue());
        names.addAll(stringList(v.get("aliases")));
        return names;
    }

    private static AnnotationMirror mirror(Element e, String simpleName) {
        for (AnnotationMirror m : e.getAnnotationMirrors()) {
            if (((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(PICOCLI + simpleName)) {
                return m;
            }
        }
        return null;
    }

    private Map<String, AnnotationValue> values(AnnotationMirror m) {
        Map<String, AnnotationValue> out = new LinkedHashMap<>();
        processingEnv.getElementUtils().getElementValuesWithDefaults(m)
                .forEach((k, v) -> out.put(k.getSimpleName().toString(), v));
        return out;
    }

    private void checkExplicit(Element e, AnnotationMirror m, Set<String> supported) {
        for (ExecutableElement k : m.getElementValues().keySet()) {
            String attribute = k.getSimpleName().toString();
            if (!supported.contains(attribute)) {
                error(e, "@" + m.getAnnotationType().asElement().getSimpleName() + "(" + attribute
                        + " = ...) is not translated by " + getClass().getSimpleName() + "; add it there");
            }
        }
    }

    private static List<String> stringList(AnnotationValue v) {
        List<String> out = new ArrayList<>();
        if (v.getValue() instanceof List<?> list) {
            for (Object o : list) {
                out.add((String) ((AnnotationValue) o).getValue());
            }
        } else {
            out.add((String) v.getValue());
        }
        return out;
    }

    private static String strings(List<String> values) {
        return String.join(", ", values.stream().map(CommandModelProcessor::literal).toList());
    }

    private static String literal(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20 || ch > 0x7e) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private void error(Element e, String message) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, e);
    }
}
