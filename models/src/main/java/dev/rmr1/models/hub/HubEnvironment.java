package dev.rmr1.models.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where the Hugging Face Hub is and where its files are cached, read from the same environment
 * variables as huggingface_hub ({@code constants.py}):
 *
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the Hub, default {@code https://huggingface.co}.
 *   <li>{@code HF_HOME}: default {@code $XDG_CACHE_HOME/huggingface}, else {@code
 *       ~/.cache/huggingface}.
 *   <li>{@code HF_HUB_CACHE} (legacy {@code HUGGINGFACE_HUB_CACHE}): default {@code $HF_HOME/hub}.
 *   <li>{@code HF_TOKEN} (legacy {@code HUGGING_FACE_HUB_TOKEN}), else the file {@code
 *       $HF_TOKEN_PATH} (default {@code $HF_HOME/token}, written by {@code hf auth login}).
 *   <li>{@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) = 1/ON/YES/TRUE: never use the
 *       network.
 * </ul>
 *
 * @param endpoint the Hub's base URL, without a trailing slash
 * @param token the access token sent as {@code Authorization: Bearer}, if any
 * @param hubCache the cache directory holding {@code models--ORG--NAME} folders
 * @param offline whether the network must not be used
 */
public record HubEnvironment(String endpoint, Optional<String> token, Path hubCache, boolean offline) {
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

  public HubEnvironment {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(hubCache, "hubCache");
    while (endpoint.endsWith("/")) endpoint = endpoint.substring(0, endpoint.length() - 1);
    if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw new IllegalArgumentException("HF_ENDPOINT must be an http(s) URL, got '" + endpoint + "'");
    }
    token = token.map(String::strip).filter(t -> !t.isEmpty());
  }

  /** From this process's environment and {@code user.home}. */
  public static HubEnvironment fromSystem() {
    return from(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** From the variables in {@code env}, with {@code home} for {@code ~}. */
  public static HubEnvironment from(Map<String, String> env, Path home) {
    Path hfHome = get(env, "HF_HOME")
        .map(v -> expand(v, home))
        .orElseGet(() -> get(env, "XDG_CACHE_HOME").map(v -> expand(v, home)).orElse(home.resolve(".cache"))
            .resolve("huggingface"));
    Path cache = get(env, "HF_HUB_CACHE").or(() -> get(env, "HUGGINGFACE_HUB_CACHE"))
        .map(v -> expand(v, home)).orElse(hfHome.resolve("hub"));
    Optional<String> token = get(env, "HF_TOKEN").or(() -> get(env, "HUGGING_FACE_HUB_TOKEN"));
    if (token.isEmpty()) {
      Path tokenFile = get(env, "HF_TOKEN_PATH").map(v -> expand(v, home)).orElse(hfHome.resolve("token"));
      token = readToken(tokenFile);
    }
    boolean offline = get(env, "HF_HUB_OFFLINE").or(() -> get(env, "TRANSFORMERS_OFFLINE"))
        .map(v -> TRUE_VALUES.contains(v.strip().toUpperCase(Locale.ROOT))).orElse(false);
    return new HubEnvironment(get(env, "HF_ENDPOINT").orElse(DEFAULT_ENDPOINT), token, cache, offline);
  }

  private static Optional<String> get(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
  }

  private static Path expand(String value, Path home) {
    if (value.equals("~")) return home;
    if (value.startsWith("~/")) return home.resolve(value.substring(2));
    return Path.of(value);
  }

  private static Optional<String> readToken(Path file) {
    if (!Files.isRegularFile(file)) return Optional.empty();
    try {
      return Optional.of(Files.readString(file).strip()).filter(t -> !t.isEmpty());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Hugging Face token file " + file, e);
    }
  }

  public HubEnvironment withEndpoint(String newEndpoint) {
    return new HubEnvironment(newEndpoint, token, hubCache, offline);
  }

  public HubEnvironment withToken(Optional<String> newToken) {
    return new HubEnvironment(endpoint, newToken, hubCache, offline);
  }

  public HubEnvironment withHubCache(Path newCache) {
    return new HubEnvironment(endpoint, token, newCache, offline);
  }

  public HubEnvironment withOffline(boolean newOffline) {
    return new HubEnvironment(endpoint, token, hubCache, newOffline);
  }

  /** Never prints the token itself. */
  @Override
  public String toString() {
    return "HubEnvironment[endpoint=" + endpoint + ", token=" + (token.isPresent() ? "(set)" : "(none)")
        + ", hubCache=" + hubCache + ", offline=" + offline + "]";
  }
}
