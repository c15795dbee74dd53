/*
 * Aura's local Cloud Storage rules runtime: a deny-all stand-in for the jar the Firebase
 * CLI downloads (cloud-storage-rules-runtime), which these machines cannot fetch.
 *
 * The Storage emulator of firebase-tools (lib/emulator/storage/rules/runtime.js) starts
 * `java -jar <this jar> serve` and talks to it over stdin/stdout, one JSON object a line:
 *
 *   runtime -> emulator  {"id":-1,"status":"ok"}                   once, when ready
 *   emulator -> runtime  {"action":"load_ruleset","context":{"rulesetName":"0",
 *                          "source":{"files":[{"name":..,"content":..}]}},"id":0}
 *   runtime -> emulator  {"id":0,"status":"ok","result":{"rulesVersion":2},
 *                          "errors":[],"warnings":[]}
 *   emulator -> runtime  {"action":"verify","context":{"rulesetName":"0",
 *                          "service":"firebase.storage","path":..,"method":..,..},"id":1}
 *   runtime -> emulator  {"id":1,"status":"ok","result":{"permit":false},
 *                          "errors":[],"warnings":[]}
 *
 * Every `verify` (a client SDK or REST request without admin credentials and without a
 * valid download token) is answered DENY. That is exactly what Aura's storage.rules says
 * (no `allow` grants anything), so locally the rules are enforced as written. A ruleset
 * that does grant something still loads (without a loaded ruleset the emulator refuses
 * download-token URLs too), but each grant is reported on stderr, which the emulator logs
 * as a warning: this runtime does not evaluate conditions, production does.
 *
 * Built by tools/stack.py (javac --release 11, no dependencies); see docs/local-stack.md.
 */

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class StorageRulesRuntime {
    private static final Pattern RULES_VERSION =
            Pattern.compile("rules_version\\s*=\\s*['\"](\\d+)['\"]");
    private static final Pattern ALLOW =
            Pattern.compile("\\ballow\\s+([a-z,\\s]+?)\\s*(?::\\s*if\\s+([^;]*?))?\\s*;");
    private static final Pattern COMMENT =
            Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

    private StorageRulesRuntime() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1 || !"serve".equals(args[0])) {
            System.err.println("usage: java -jar storage-rules-runtime.jar serve");
            System.exit(2);
        }
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out =
                new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
        out.println("Aura local Storage rules runtime: every client request is denied");
        send(out, "{\"id\":-1,\"status\":\"ok\"}");
        for (String line; (line = in.readLine()) != null; ) {
            if (line.trim().isEmpty()) {
                continue;
            }
            Map<String, Object> request;
            try {
                request = asMap(new Json(line).parse());
            } catch (IllegalArgumentException e) {
                System.err.println("Aura storage rules runtime: unreadable request: " + e.getMessage());
                continue;
            }
            Object id = request.get("id");
            if (!(id instanceof Number)) {
                System.err.println("Aura storage rules runtime: request without an id");
                continue;
            }
            send(out, answer(((Number) id).longValue(), request));
        }
    }

    /** The reply line to one request. */
    static String answer(long id, Map<String, Object> request) {
        Object action = request.get("action");
        Map<String, Object> context = asMap(request.get("context"));
        if ("load_ruleset".equals(action)) {
            int version = 1;
            for (Object file : asList(asMap(context.get("source")).get("files"))) {
                Map<String, Object> source = asMap(file);
                String content = String.valueOf(source.getOrDefault("content", ""));
                Matcher declared = RULES_VERSION.matcher(content);
                if (declared.find()) {
                    version = Integer.parseInt(declared.group(1));
                }
                reportGrants(String.valueOf(source.getOrDefault("name", "storage.rules")), content);
            }
            return ok(id, "{\"rulesVersion\":" + version + "}");
        }
        if ("verify".equals(action)) {
            return ok(id, "{\"permit\":false}");
        }
        // No other action exists in the protocol; deny, and say why.
        return "{\"id\":" + id + ",\"status\":\"ok\",\"result\":{\"permit\":false},"
                + "\"errors\":[" + quote("unsupported action " + action) + "],\"warnings\":[]}";
    }

    /** Names on stderr every `allow` that is not `if false`: this runtime denies it anyway. */
    static List<String> reportGrants(String name, String content) {
        Matcher comments = COMMENT.matcher(content);
        StringBuilder code = new StringBuilder();
        while (comments.find()) {  // blank comments out, keeping their newlines (line numbers)
            comments.appendReplacement(code, "");
            code.append(comments.group().replaceAll("[^\\n]", " "));
        }
        comments.appendTail(code);
        List<String> grants = new ArrayList<>();
        Matcher allow = ALLOW.matcher(code);
        while (allow.find()) {
            String condition = allow.group(2);
            if (condition != null && condition.trim().equals("false")) {
                continue;
            }
            int line = 1;
            for (int i = 0; i < allow.start(); i++) {
                if (code.charAt(i) == '\n') {
                    line++;
                }
            }
            String grant = name + ":" + line + ": " + allow.group().replaceAll("\\s+", " ");
            grants.add(grant);
            System.err.println("Aura storage rules runtime (deny-all): " + grant
                    + " grants access that the local stack does NOT evaluate; every client"
                    + " request is denied here, production enforces the rule as written.");
        }
        return grants;
    }

    private static String ok(long id, String result) {
        return "{\"id\":" + id + ",\"status\":\"ok\",\"result\":" + result
                + ",\"errors\":[],\"warnings\":[]}";
    }

    private static void send(PrintStream out, String line) {
        out.print(line);
        out.print('\n');
        out.flush();
    }

    static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : new LinkedHashMap<>();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value) {
        return value instanceof List ? (List<Object>) value : new ArrayList<>();
    }

    /** A small strict JSON reader: objects, arrays, strings, numbers, true/false/null. */
    static final class Json {
        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object parse() {
            Object value = value();
            space();
            if (at != text.length()) {
                throw fail("trailing characters");
            }
            return value;
        }

        private Object value() {
            space();
            if (at >= text.length()) {
                throw fail("unexpected end");
            }
            char c = text.charAt(at);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return word("true", Boolean.TRUE);
                case 'f':
                    return word("false", Boolean.FALSE);
                case 'n':
                    return word("null", null);
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            space();
            if (peek() == '}') {
                at++;
                return map;
            }
            while (true) {
                space();
                if (peek() != '"') {
                    throw fail("expected a key");
                }
                String key = string();
                space();
                expect(':');
                map.put(key, value());
                space();
                if (peek() == ',') {
                    at++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            space();
            if (peek() == ']') {
                at++;
                return list;
            }
            while (true) {
                list.add(value());
                space();
                if (peek() == ',') {
                    at++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            at++;
            while (true) {
                if (at >= text.length()) {
                    throw fail("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    throw fail("unterminated escape");
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u':
                        if (at + 4 > text.length()) {
                            throw fail("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw fail("bad \\u escape");
                        }
                        at += 4;
                        break;
                    default: b.append(e);  // \" \\ \/
                }
            }
        }

        private Number number() {
            int start = at;
            while (at < text.length() && "+-.eE0123456789".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String digits = text.substring(start, at);
            try {
                if (digits.matches("-?\\d+")) {
                    return Long.parseLong(digits);
                }
                return Double.parseDouble(digits);
            } catch (NumberFormatException e) {
                throw fail("bad value");
            }
        }

        private Object word(String word, Object value) {
            if (!text.startsWith(word, at)) {
                throw fail("bad literal");
            }
            at += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail("expected '" + c + "'");
            }
            at++;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private IllegalArgumentException fail(String why) {
            return new IllegalArgumentException(why + " at " + at);
        }
    }
}
