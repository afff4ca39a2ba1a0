package dev.rmr1.models.config;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths of the config test resources (see src/test/resources/dev/rmr1/models/config/README.md). */
final class ConfigResources {
  private ConfigResources() {}

  static Path path(String relative) {
    URL url = ConfigResources.class.getResource(relative);
    if (url == null) throw new IllegalStateException("missing test resource dev/rmr1/models/config/" + relative);
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
