package io.tidaldb.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidaldb.testing.ExpositionParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict parser must itself be strict: each malformed exposition below is refused. */
class ExpositionParserTest {

  private static final String GOOD = "# HELP up Whether it is up.\n# TYPE up gauge\nup{a=\"x\\\"y\\\\z\\n\"} 1.0\n";

  @Test
  void prometheusText_readsSamplesAndUnescapesLabels() {
    ExpositionParser.Exposition parsed = ExpositionParser.prometheusText(GOOD);
    assertEquals(1.0, parsed.family("up").sample(Map.of("a", "x\"y\\z\n")).value());
  }

  @Test
  void prometheusText_refusesWhatAScraperCouldReject() {
    for (String bad : List.of("", "up 1\n", "# TYPE up gauge\nup 1\n", "# HELP up h\nup 1\n",
        GOOD.substring(0, GOOD.length() - 1), GOOD + "up{a=\"x\\\"y\\\\z\\n\"} 2\n", GOOD + "down 1\n",
        "# HELP up h\n# TYPE up gauge\nup{a=x} 1\n", "# HELP up h\n# TYPE up gauge\nup one\n",
        "# HELP up h\n# TYPE up gauge\nup{a=\"\\t\"} 1\n", "# HELP up h\n# TYPE up gauge\nup 1\n# HELP up again\n",
        "# HELP up h\n# TYPE up wobbly\nup 1\n")) {
      assertThrows(AssertionError.class, () -> ExpositionParser.prometheusText(bad), bad);
    }
  }

  @Test
  void openMetrics_needsEofAndNoBlankLines() {
    String good = "# TYPE up gauge\n# HELP up h\nup 1\n# TYPE b info\n# HELP b i\nb_info{v=\"1\"} 1\n# EOF\n";
    assertEquals(2, ExpositionParser.openMetrics(good).families().size());
    for (String bad : List.of(good.replace("# EOF\n", ""), good.replace("up 1\n", "up 1\n\n"),
        good + "up 2\n", good.replace("b_info{v=\"1\"} 1", "b_info{v=\"1\"} 2"), good.replace("b_info", "b"))) {
      assertThrows(AssertionError.class, () -> ExpositionParser.openMetrics(bad), bad);
    }
  }
}
