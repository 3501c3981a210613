package io.tidaldb.metrics.spi;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chooses the exposition format from an {@code Accept} header (RFC 9110, section 12.5.1): the format
 * with the highest quality; on a tie, the one named by the more specific media range, then the one
 * named first, then the plainest (text before OpenMetrics before protobuf). A missing header, or one
 * that accepts nothing we write, gets the Prometheus text format, which every scraper reads.
 */
final class ContentNegotiation {

  private static final String PROTOBUF_MESSAGE = "io.prometheus.client.MetricFamily";

  private ContentNegotiation() {}

  static ExpositionFormat choose(Optional<String> accept, Set<ExpositionFormat> supported) {
    if (accept.isEmpty() || accept.get().isBlank()) {
      return ExpositionFormat.PROMETHEUS_TEXT;
    }
    String[] ranges = accept.get().split(",");
    ExpositionFormat best = null;
    Match bestMatch = null;
    for (ExpositionFormat format : ExpositionFormat.values()) {
      if (!supported.contains(format)) {
        continue;
      }
      Match match = null;
      for (int position = 0; position < ranges.length; position++) {
        Match candidate = match(ranges[position], position, format);
        if (candidate != null && (match == null || candidate.specificity() > match.specificity())) {
          match = candidate;
        }
      }
      if (match != null && match.quality() > 0 && (bestMatch == null || match.beats(bestMatch))) {
        best = format;
        bestMatch = match;
      }
    }
    return best == null ? ExpositionFormat.PROMETHEUS_TEXT : best;
  }

  /** How one media range matches a format, or null if it does not. */
  private static Match match(String range, int position, ExpositionFormat format) {
    String[] parts = range.split(";");
    String mediaType = parts[0].strip().toLowerCase(Locale.ROOT);
    Map<String, String> params = new TreeMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq > 0) {
        String value = parts[i].substring(eq + 1).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        params.put(parts[i].substring(0, eq).strip().toLowerCase(Locale.ROOT), value);
      }
    }
    double quality;
    try {
      quality = Double.parseDouble(params.getOrDefault("q", "1"));
    } catch (NumberFormatException e) {
      return null;
    }
    if (!(quality >= 0 && quality <= 1)) {
      return null;
    }
    int specificity = specificity(mediaType, params, format);
    return specificity < 0 ? null : new Match(quality, specificity, position);
  }

  /** 0 for {@code *}{@code /*}, 1 for {@code type/*}, 2 for the format's own type; -1 if no match. */
  private static int specificity(String mediaType, Map<String, String> params, ExpositionFormat format) {
    if (mediaType.equals("*/*")) {
      return 0;
    }
    String version = params.get("version");
    switch (format) {
      case PROMETHEUS_TEXT:
        return mediaType.equals("text/*") ? 1 : mediaType.equals("text/plain") ? 2 : -1;
      case OPENMETRICS_TEXT:
        if (mediaType.equals("application/*")) {
          return 1;
        }
        return mediaType.equals("application/openmetrics-text")
            && (version == null || version.equals("1.0.0") || version.equals("0.0.1")) ? 2 : -1;
      case PROMETHEUS_PROTOBUF:
        if (mediaType.equals("application/*")) {
          return 1;
        }
        String encoding = params.get("encoding");
        return mediaType.equals("application/vnd.google.protobuf") && PROTOBUF_MESSAGE.equals(params.get("proto"))
            && (encoding == null || encoding.equals("delimited")) ? 2 : -1;
      default:
        return -1;
    }
  }

  private record Match(double quality, int specificity, int position) {
    boolean beats(Match other) {
      if (quality != other.quality) {
        return quality > other.quality;
      }
      if (specificity != other.specificity) {
        return specificity > other.specificity;
      }
      return position < other.position;
    }
  }
}
