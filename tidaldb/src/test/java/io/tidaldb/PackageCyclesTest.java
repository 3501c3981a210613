package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.metrics.TidalDbMetrics;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core's packages call in one direction (docs/ARCHITECTURE.md): read from the compiled classes,
 * the graph of package dependencies has no cycle.
 *
 * <p>The unit is the package, with one refinement: the API's entry points, the classes an application
 * starts from ({@link #ENTRY_POINTS}), form a layer of their own on top. The spec binds them to
 * {@code io.tidaldb} and {@code io.tidaldb.metrics}, which also hold the values, exceptions and
 * settings everything else stands on; the entry points may call anything, and nothing calls them.
 */
class PackageCyclesTest {

  /** The top layer: what an application opens, writes through and binds. */
  static final Set<String> ENTRY_POINTS = Set.of(TidalDb.class.getName(), TidalDbBuilder.class.getName(),
      SignalType.class.getName(), SignalBatch.class.getName(), Config.class.getName(), "io.tidaldb.Resources", TidalDbMetrics.class.getName());

  private static final String ENTRY_LAYER = "io.tidaldb (entry points)";

  /** A class named in a class file: in a descriptor, a signature or a class constant. */
  private static final Pattern CLASS_NAME = Pattern.compile("io/tidaldb/[A-Za-z0-9_/$]+");

  @Test
  void corePackages_haveNoDependencyCycle() throws IOException, URISyntaxException {
    Map<String, Set<String>> graph = packageGraph(classesDir());

    List<String> cycle = findCycle(graph);

    assertTrue(graph.getOrDefault("io.tidaldb.internal.signal", Set.of()).contains("io.tidaldb.wal"),
        () -> "the graph misses what the engine calls: " + graph);
    assertTrue(cycle.isEmpty(), () -> "package cycle: " + String.join(" -> ", cycle) + "\nthe graph: " + graph);
  }

  @Test
  void cycleFinder_findsACycle() {
    Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));

    assertEquals(List.of("a", "b", "c", "a"), findCycle(graph));
  }

  /** The layer a class belongs to: its package, or the entry points' layer. */
  static String layer(String className) {
    String outer = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
    if (ENTRY_POINTS.contains(outer)) {
      return ENTRY_LAYER;
    }
    return outer.substring(0, outer.lastIndexOf('.'));
  }

  static Path classesDir() throws URISyntaxException {
    return Path.of(TidalDb.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** Edges between layers, from every class file under {@code root}. */
  static Map<String, Set<String>> packageGraph(Path root) throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    List<Path> classes;
    try (Stream<Path> files = Files.walk(root)) {
      classes = files.filter(p -> p.toString().endsWith(".class"))
          .filter(p -> !p.getFileName().toString().equals("module-info.class")).toList();
    }
    for (Path file : classes) {
      String name = root.relativize(file).toString().replace('\\', '/');
      String from = layer(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
      Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
      for (String referenced : referencedClasses(file)) {
        String target = layer(referenced);
        if (!target.equals(from)) {
          to.add(target);
        }
      }
    }
    return graph;
  }

  /** The tidalDB classes a class file names: every {@code io/tidaldb/...} in its constant pool's strings. */
  static Set<String> referencedClasses(Path classFile) throws IOException {
    Set<String> names = new TreeSet<>();
    try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
      data.readInt();            // magic
      data.readUnsignedShort();  // minor
      data.readUnsignedShort();  // major
      int count = data.readUnsignedShort();
      for (int i = 1; i < count; i++) {
        int tag = data.readUnsignedByte();
        switch (tag) {
          case 1 -> {
            Matcher m = CLASS_NAME.matcher(data.readUTF());
            while (m.find()) {
              names.add(m.group().replace('/', '.'));
            }
          }
          case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
          case 5, 6 -> {
            data.skipBytes(8);
            i++;                 // takes two slots
          }
          case 7, 8, 16, 19, 20 -> data.skipBytes(2);
          case 15 -> data.skipBytes(3);
          default -> throw new IOException(classFile + ": unknown constant pool tag " + tag + " at entry " + i);
        }
      }
    }
    return names;
  }

  /** A cycle in {@code graph} as the path that closes it, or empty if there is none (depth-first search). */
  static List<String> findCycle(Map<String, Set<String>> graph) {
    Map<String, Integer> state = new HashMap<>();   // 1: on the current path, 2: done
    for (String start : new TreeSet<>(graph.keySet())) {
      Deque<String> path = new ArrayDeque<>();
      List<String> cycle = visit(start, graph, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    return List.of();
  }

  private static List<String> visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state,
      Deque<String> path) {
    Integer seen = state.get(node);
    if (seen != null && seen == 2) {
      return List.of();
    }
    if (seen != null) {
      List<String> cycle = new ArrayList<>();
      boolean in = false;
      for (String step : (Iterable<String>) path::descendingIterator) {
        in |= step.equals(node);
        if (in) {
          cycle.add(step);
        }
      }
      cycle.add(node);
      return cycle;
    }
    state.put(node, 1);
    path.push(node);
    for (String next : new TreeSet<>(graph.getOrDefault(node, Set.of()))) {
      List<String> cycle = visit(next, graph, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    path.pop();
    state.put(node, 2);
    return List.of();
  }
}
