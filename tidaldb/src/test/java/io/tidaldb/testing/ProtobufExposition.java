package io.tidaldb.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A strict reader of the Prometheus protobuf exposition (length-delimited
 * {@code io.prometheus.client.MetricFamily} messages) for tests, written from the wire format so it
 * needs no protobuf library. It fails on truncated messages, lengths that do not add up, wrong wire
 * types for known fields, and invalid UTF-8.
 *
 * <pre>{@code
 * List<ProtobufExposition.Family> families = ProtobufExposition.parse(body);
 * }</pre>
 */
public final class ProtobufExposition {

  /** The {@code MetricType} enum of {@code metrics.proto}. */
  private static final String[] TYPES = {"COUNTER", "GAUGE", "SUMMARY", "UNTYPED", "HISTOGRAM", "GAUGE_HISTOGRAM"};

  private final ByteBuffer in;

  private ProtobufExposition(ByteBuffer in) {
    this.in = in;
  }

  /**
   * Reads every family in the body.
   *
   * @param body the whole body
   * @return the families, in order
   * @throws AssertionError if the body is not a valid delimited stream of families
   */
  public static List<Family> parse(byte[] body) {
    ProtobufExposition reader = new ProtobufExposition(ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN));
    List<Family> families = new ArrayList<>();
    while (reader.in.hasRemaining()) {
      int length = Math.toIntExact(reader.varint());
      families.add(reader.family(reader.slice(length)));
    }
    if (families.isEmpty()) {
      throw new AssertionError("the protobuf body holds no family");
    }
    return families;
  }

  private Family family(ProtobufExposition message) {
    String name = null;
    String help = "";
    String type = "COUNTER";
    List<Metric> metrics = new ArrayList<>();
    while (message.in.hasRemaining()) {
      long key = message.varint();
      int field = (int) (key >>> 3);
      int wire = (int) (key & 7);
      switch (field) {
        case 1 -> name = message.string(wire);
        case 2 -> help = message.string(wire);
        case 3 -> {
          expect(wire, 0, "MetricFamily.type");
          int ordinal = (int) message.varint();
          if (ordinal < 0 || ordinal >= TYPES.length) {
            throw new AssertionError("unknown MetricType " + ordinal);
          }
          type = TYPES[ordinal];
        }
        case 4 -> {
          expect(wire, 2, "MetricFamily.metric");
          metrics.add(metric(message.slice(Math.toIntExact(message.varint()))));
        }
        default -> message.skip(wire);
      }
    }
    if (name == null || name.isEmpty()) {
      throw new AssertionError("a MetricFamily without a name");
    }
    return new Family(name, help, type, List.copyOf(metrics));
  }

  private Metric metric(ProtobufExposition message) {
    Map<String, String> labels = new TreeMap<>();
    Double value = null;
    while (message.in.hasRemaining()) {
      long key = message.varint();
      int field = (int) (key >>> 3);
      int wire = (int) (key & 7);
      if (field == 1) {
        expect(wire, 2, "Metric.label");
        ProtobufExposition pair = message.slice(Math.toIntExact(message.varint()));
        String labelName = null;
        String labelValue = "";
        while (pair.in.hasRemaining()) {
          long pairKey = pair.varint();
          switch ((int) (pairKey >>> 3)) {
            case 1 -> labelName = pair.string((int) (pairKey & 7));
            case 2 -> labelValue = pair.string((int) (pairKey & 7));
            default -> pair.skip((int) (pairKey & 7));
          }
        }
        if (labelName == null || labels.put(labelName, labelValue) != null) {
          throw new AssertionError("a label without a name, or twice: " + labelName);
        }
      } else if (field == 2 || field == 3 || field == 5) {
        expect(wire, 2, "Metric.gauge/counter/untyped");
        ProtobufExposition inner = message.slice(Math.toIntExact(message.varint()));
        while (inner.in.hasRemaining()) {
          long innerKey = inner.varint();
          if (innerKey >>> 3 == 1) {
            expect((int) (innerKey & 7), 1, "value");
            value = inner.in.getDouble();
          } else {
            inner.skip((int) (innerKey & 7));
          }
        }
      } else {
        message.skip(wire);
      }
    }
    return new Metric(labels, value == null ? Double.NaN : value);
  }

  private ProtobufExposition slice(int length) {
    if (length < 0 || length > in.remaining()) {
      throw new AssertionError("a length of " + length + " with " + in.remaining() + " bytes left: truncated or corrupt");
    }
    ByteBuffer part = in.slice().order(ByteOrder.LITTLE_ENDIAN);
    part.limit(length);
    in.position(in.position() + length);
    return new ProtobufExposition(part);
  }

  private long varint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!in.hasRemaining()) {
        throw new AssertionError("a truncated varint");
      }
      byte b = in.get();
      result |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new AssertionError("a varint longer than 10 bytes");
  }

  private String string(int wire) {
    expect(wire, 2, "string");
    ProtobufExposition bytes = slice(Math.toIntExact(varint()));
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.in).toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("a string that is not UTF-8", e);
    }
  }

  private void skip(int wire) {
    switch (wire) {
      case 0 -> varint();
      case 1 -> slice(8);
      case 2 -> slice(Math.toIntExact(varint()));
      case 5 -> slice(4);
      default -> throw new AssertionError("wire type " + wire + " is not valid here");
    }
  }

  private static void expect(int wire, int expected, String what) {
    if (wire != expected) {
      throw new AssertionError(what + " has wire type " + wire + ", expected " + expected);
    }
  }

  /**
   * One {@code MetricFamily}.
   *
   * @param name its name
   * @param help its help text
   * @param type its {@code MetricType}, such as {@code GAUGE}
   * @param metrics its metrics
   */
  public record Family(String name, String help, String type, List<Metric> metrics) {}

  /**
   * One {@code Metric}: its labels and its gauge, counter or untyped value.
   *
   * @param labels the labels, by name
   * @param value the value
   */
  public record Metric(Map<String, String> labels, double value) {}
}
