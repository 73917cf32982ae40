package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --format} of {@code weft inspect} and {@code weft network inspect}, as Docker users
 * type it: none (a pretty JSON array), {@code json} or {@code {{json .}}} (each object as one JSON
 * line), and templates of field paths with text around them, {@code {{.Name}}},
 * {@code {{.IPAM.Driver}}}, {@code {{json .Containers}}}: one line per object. A field that is
 * not there prints {@code <no value>}, as Go templates print a missing map key; other template
 * actions (range, index, ...) are refused.
 */
final class InspectFormat {
    private static final Pattern ACTION = Pattern.compile("\\{\\{-?\\s*(.*?)\\s*-?}}");
    private static final Pattern FIELD = Pattern.compile("(json\\s+)?(\\.|(\\.[A-Za-z_][A-Za-z0-9_]*)+)");

    private InspectFormat() {
    }

    static void print(List<JsonNode> objects, String format, PrintWriter out) {
        if (format == null || format.isEmpty()) {
            var all = Json.array();
            objects.forEach(all::add);
            out.println(Json.pretty(all));
            return;
        }
        String template = format.equals("json") ? "{{json .}}" : format;
        check(template);
        for (JsonNode o : objects) {
            out.println(render(template, o));
        }
    }

    private static void check(String template) {
        Matcher m = ACTION.matcher(template);
        while (m.find()) {
            if (!FIELD.matcher(m.group(1)).matches()) {
                throw new CliException("unsupported --format action \"" + m.group() + "\": weft understands json, {{json .}},"
                        + " {{.Field.Sub}} and {{json .Field}}");
            }
        }
    }

    private static String render(String template, JsonNode object) {
        Matcher m = ACTION.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Matcher f = FIELD.matcher(m.group(1));
            f.matches();
            JsonNode v = object;
            if (!f.group(2).equals(".")) {
                for (String key : f.group(2).substring(1).split("\\.")) {
                    v = v.path(key);
                }
            }
            String text = v.isMissingNode() ? "<no value>" : f.group(1) != null || v.isContainerNode() ? Json.text(v) : v.asText();
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        return out.toString();
    }
}
