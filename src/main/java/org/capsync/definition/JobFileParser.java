package org.capsync.definition;

import java.io.StringReader;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.springframework.boot.convert.DurationStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads a job file (YAML) into a {@link JobDefinition}. Works on SnakeYAML's node tree rather than plain maps so that
 * every error can name the line it is about.
 */
public final class JobFileParser {

    /** The repository's TARGET_FOLDER column (CAPSYNC_PAIR). */
    private static final int MAX_TARGET_LENGTH = 1000;
    private static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Set<String> KEYS = Set.of("name", "source", "files", "caps", "target", "retry", "threads",
            "credentials", "lock-token", "metrics", "on-failure", "on-skips", "smb-connections", "workers",
            "worker-timeout");
    private static final Set<String> RETRY_KEYS = Set.of("attempts", "delay", "multiplier", "max-delay");
    static final int MAX_THREADS = 256;
    static final int MAX_SMB_CONNECTIONS = 64;

    public JobDefinition parse(Path jobFile) {
        Path file = jobFile.toAbsolutePath().normalize();
        String text = TextFile.read(file, "job file");
        Node root;
        try {
            // What Yaml.compose does, without building the Yaml facade's object constructor and representer, which a
            // node tree does not use and every start would load.
            LoaderOptions options = new LoaderOptions();
            root = new Composer(new ParserImpl(new StreamReader(new StringReader(text)), options), new Resolver(), options)
                    .getSingleNode();
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new DefinitionException(file, line, "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            // The loader's limits (aliases, document size), which no job file comes near.
            throw new DefinitionException(file, "not a job file capsync reads: " + e.getMessage());
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new DefinitionException(file, root == null ? 0 : line(root), "expected a mapping of keys (name, source, files, caps, target)");
        }
        Map<String, NodeTuple> keys = keys(file, mapping, KEYS, "");

        String name = scalar(file, required(file, mapping, keys, "name"));
        if (!JOB_NAME.matcher(name).matches()) {
            throw new DefinitionException(file, line(keys.get("name")), name.length() > 64
                    ? "name is " + name.length() + " characters long; at most 64 (it names lock and log files)"
                    : "name '" + name + "' must be letters, digits, '.', '_' or '-' (it names lock and log files)");
        }
        Path base = file.getParent();
        Path source = base.resolve(scalar(file, required(file, mapping, keys, "source"))).normalize();
        List<String> files = fileNames(file, required(file, mapping, keys, "files"));
        Path caps = base.resolve(scalar(file, required(file, mapping, keys, "caps"))).normalize();
        String target = keys.containsKey("target") ? relativeFolder(file, keys.get("target")) : "";
        RetrySettings retry = keys.containsKey("retry") ? retry(file, keys.get("retry")) : RetrySettings.DEFAULT;
        int threads = keys.containsKey("threads") ? positiveInt(file, keys.get("threads"), "threads", MAX_THREADS) : 4;
        JobDefinition.Options options = new JobDefinition.Options(
                keys.containsKey("credentials") ? base.resolve(scalar(file, keys.get("credentials").getValueNode())).normalize() : null,
                keys.containsKey("lock-token") && bool(file, keys.get("lock-token"), "lock-token"),
                keys.containsKey("metrics") ? base.resolve(scalar(file, keys.get("metrics").getValueNode())).normalize() : null,
                keys.containsKey("on-failure") ? scalar(file, keys.get("on-failure").getValueNode()) : null,
                keys.containsKey("on-skips") ? scalar(file, keys.get("on-skips").getValueNode()) : null,
                keys.containsKey("smb-connections")
                        ? positiveInt(file, keys.get("smb-connections"), "smb-connections", MAX_SMB_CONNECTIONS) : null,
                keys.containsKey("workers") && bool(file, keys.get("workers"), "workers"),
                keys.containsKey("worker-timeout") ? workerTimeout(file, keys.get("worker-timeout"))
                        : JobDefinition.Options.DEFAULT_WORKER_TIMEOUT);
        Map<String, Integer> lines = new LinkedHashMap<>();
        keys.forEach((key, tuple) -> lines.put(key, line(tuple.getKeyNode())));
        return new JobDefinition(file, name, source, files, caps, target, retry, threads, options, lines);
    }

    private static Map<String, NodeTuple> keys(Path file, MappingNode mapping, Set<String> allowed, String prefix) {
        Map<String, NodeTuple> keys = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = scalar(file, tuple.getKeyNode());
            if (!allowed.contains(key)) {
                throw new DefinitionException(file, line(tuple.getKeyNode()),
                        "unknown key '" + prefix + key + "' (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
            if (keys.put(key, tuple) != null) {
                throw new DefinitionException(file, line(tuple.getKeyNode()), "key '" + prefix + key + "' given twice");
            }
        }
        return keys;
    }

    private static Node required(Path file, MappingNode mapping, Map<String, NodeTuple> keys, String key) {
        NodeTuple tuple = keys.get(key);
        if (tuple == null) {
            throw new DefinitionException(file, line(mapping), "missing required key '" + key + "'");
        }
        return tuple.getValueNode();
    }

    private static String scalar(Path file, Node node) {
        if (node instanceof ScalarNode scalar && !scalar.getValue().isBlank()) {
            return scalar.getValue().trim();
        }
        throw new DefinitionException(file, line(node), "expected a value here");
    }

    private static List<String> fileNames(Path file, Node node) {
        List<Node> items = node instanceof SequenceNode seq ? seq.getValue() : List.of(node);
        if (items.isEmpty()) {
            throw new DefinitionException(file, line(node), "files: list at least one file name or glob");
        }
        List<String> names = new ArrayList<>();
        for (Node item : items) {
            String name = scalar(file, item);
            if (name.chars().anyMatch(Character::isISOControl)) {
                throw new DefinitionException(file, line(item), "files: a name has a control character");
            }
            if (name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".") || name.contains(":")) {
                throw new DefinitionException(file, line(item),
                        "files: '" + name + "' must be a plain file name or glob inside source (no folders, no '..')");
            }
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + name);
            } catch (PatternSyntaxException e) {
                throw new DefinitionException(file, line(item), "files: '" + name + "' is not a valid glob: " + e.getDescription());
            }
            names.add(name);
        }
        return names;
    }

    private static String relativeFolder(Path file, NodeTuple tuple) {
        String value = scalar(file, tuple.getValueNode()).replace('\\', '/');
        boolean absolute = value.startsWith("/") || value.matches("^[A-Za-z]:.*");
        boolean escapes = List.of(value.split("/")).contains("..");
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new DefinitionException(file, line(tuple.getValueNode()), "target has a control character");
        }
        if (absolute || escapes) {
            throw new DefinitionException(file, line(tuple.getValueNode()),
                    "target '" + value + "' must be a folder inside the CAP (relative, no '..')");
        }
        if (value.length() > MAX_TARGET_LENGTH) {
            throw new DefinitionException(file, line(tuple.getValueNode()),
                    "target is " + value.length() + " characters long; at most " + MAX_TARGET_LENGTH + " are recorded");
        }
        return value.replaceAll("/+", "/").replaceAll("^\\./|/$", "");
    }

    private static RetrySettings retry(Path file, NodeTuple tuple) {
        if (!(tuple.getValueNode() instanceof MappingNode mapping)) {
            throw new DefinitionException(file, line(tuple.getValueNode()),
                    "retry: expected a mapping such as { attempts: 5, delay: 2s, multiplier: 2, max-delay: 1m }");
        }
        Map<String, NodeTuple> keys = keys(file, mapping, RETRY_KEYS, "retry.");
        RetrySettings d = RetrySettings.DEFAULT;
        int attempts = keys.containsKey("attempts") ? positiveInt(file, keys.get("attempts"), "retry.attempts", 100) : d.attempts();
        Duration delay = keys.containsKey("delay") ? duration(file, keys.get("delay"), "retry.delay") : d.delay();
        Duration maxDelay = keys.containsKey("max-delay") ? duration(file, keys.get("max-delay"), "retry.max-delay") : d.maxDelay();
        double multiplier = d.multiplier();
        if (keys.containsKey("multiplier")) {
            Node node = keys.get("multiplier").getValueNode();
            try {
                multiplier = Double.parseDouble(scalar(file, node));
            } catch (NumberFormatException e) {
                multiplier = -1;
            }
            if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
                throw new DefinitionException(file, line(node), "retry.multiplier must be a number from 1 to 10");
            }
        }
        if (maxDelay.compareTo(delay) < 0) {
            maxDelay = delay;
        }
        return new RetrySettings(attempts, delay, multiplier, maxDelay);
    }

    private static boolean bool(Path file, NodeTuple tuple, String key) {
        String value = scalar(file, tuple.getValueNode());
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new DefinitionException(file, line(tuple.getValueNode()), key + " must be true or false, not '" + value + "'");
        };
    }

    private static int positiveInt(Path file, NodeTuple tuple, String key, int max) {
        Node node = tuple.getValueNode();
        String value = scalar(file, node);
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new DefinitionException(file, line(node), key + " must be a whole number from 1 to " + max + ", not '" + value + "'");
    }

    private static Duration duration(Path file, NodeTuple tuple, String key) {
        return duration(file, tuple, key, Duration.ZERO, "from 0s to 1h such as 500ms, 2s or 1m");
    }

    private static Duration duration(Path file, NodeTuple tuple, String key, Duration least, String range) {
        Node node = tuple.getValueNode();
        String value = scalar(file, node);
        try {
            Duration d = DurationStyle.SIMPLE.parse(value);
            if (d.compareTo(least) >= 0 && d.compareTo(Duration.ofHours(1)) <= 0) {
                return d;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new DefinitionException(file, line(node), key + " must be a duration " + range + ", not '" + value + "'");
    }

    /** At least a second: a worker records progress at every chunk, and its heartbeat every second. */
    private static Duration workerTimeout(Path file, NodeTuple tuple) {
        return duration(file, tuple, "worker-timeout", Duration.ofSeconds(1), "from 1s to 1h such as 30s or 2m");
    }

    private static int line(NodeTuple tuple) {
        return line(tuple.getValueNode());
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
