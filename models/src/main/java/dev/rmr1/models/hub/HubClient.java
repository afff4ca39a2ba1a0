package dev.rmr1.models.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;

/**
 * The HTTP calls to the Hub that downloading a model needs, as huggingface_hub makes them:
 *
 * <ul>
 *   <li>{@code GET {endpoint}/api/models/{repo}/revision/{revision}}: the commit a revision points at
 *       ({@code sha}) and the repository's files ({@code siblings[].rfilename}).
 *   <li>{@code HEAD {endpoint}/{repo}/resolve/{revision}/{filename}} with {@code Accept-Encoding:
 *       identity}, following only relative redirects: the file's commit ({@code X-Repo-Commit}),
 *       its hash ({@code X-Linked-Etag}, else {@code ETag}: the sha-256 of an LFS file, the git blob
 *       sha-1 of a regular one), its size ({@code X-Linked-Size}, else {@code Content-Length}) and,
 *       for LFS files, the CDN URL to fetch ({@code Location} of the 302).
 *   <li>{@code GET} of that URL, with {@code Range: bytes=N-} to resume.
 * </ul>
 *
 * {@code Authorization: Bearer} is sent to the endpoint's host only, never to a CDN on another host
 * (its URL is signed). Redirects are handled here, not by the JDK client, to keep that rule.
 */
public final class HubClient {
  /** The commit a revision resolved to and the repository's file names at that commit. */
  public record RepoInfo(String commit, List<String> files) {
    public RepoInfo {
      files = List.copyOf(files);
    }
  }

  /** What the Hub says about one file. */
  public record FileMetadata(String commit, String etag, long size, URI location) {}

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_REDIRECTS = 10;
  private static final String USER_AGENT = "rmr1-java/0.1; java/" + Runtime.version().feature();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HubEnvironment env;
  private final URI endpoint;
  private final HttpClient http;

  public HubClient(HubEnvironment env) {
    this.env = Objects.requireNonNull(env, "env");
    this.endpoint = URI.create(env.endpoint() + "/");
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** {@code {endpoint}/{repo}/resolve/{revision}/{filename}}, revision and file name percent-encoded. */
  public URI resolveUrl(String repoId, String revision, String filename) {
    return URI.create(env.endpoint() + "/" + repoId + "/resolve/" + encode(revision, false) + "/" + encode(filename, true));
  }

  /** {@code {endpoint}/api/models/{repo}/revision/{revision}}. */
  public URI repoInfoUrl(RepoRef ref) {
    return URI.create(env.endpoint() + "/api/models/" + ref.repoId() + "/revision/" + encode(ref.revision(), false));
  }

  /** The commit {@code ref}'s revision points at and the files of the repository there. */
  public RepoInfo repoInfo(RepoRef ref) {
    URI url = repoInfoUrl(ref);
    HttpResponse<byte[]> r = exchange(url, "GET", METADATA_TIMEOUT, -1, HttpResponse.BodyHandlers.ofByteArray(),
        false, "listing " + ref);
    check(r, "listing " + ref, ref.repoId(), ref.revision(), null);
    JsonNode root;
    try {
      root = MAPPER.readTree(new String(r.body(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new HubException(HubException.Kind.PROTOCOL, r.statusCode(), "GET " + url + " did not return JSON: " + e.getMessage(), e);
    }
    String sha = root.path("sha").asText("");
    if (!RepoRef.isCommitHash(sha)) {
      throw new HubException(HubException.Kind.PROTOCOL, r.statusCode(),
          "GET " + url + " returned no 40-hex commit in 'sha' (got '" + sha + "')", null);
    }
    List<String> files = new ArrayList<>();
    for (JsonNode s : root.path("siblings")) {
      String name = s.path("rfilename").asText("");
      if (!name.isEmpty()) files.add(name);
    }
    return new RepoInfo(sha, files);
  }

  /** HEAD of the file's resolve URL; see the class comment. */
  public FileMetadata fileMetadata(String repoId, String revision, String filename) {
    URI url = resolveUrl(repoId, revision, filename);
    String what = "metadata of " + filename + " in " + repoId + "@" + revision;
    // Only relative redirects are followed: an LFS file's 302 to the CDN carries the X-Linked headers.
    HttpResponse<Void> head = exchange(url, "HEAD", METADATA_TIMEOUT, -1, HttpResponse.BodyHandlers.discarding(),
        true, what);
    URI answered = head.request().uri();
    check(head, what, repoId, revision, filename);
    String commit = head.headers().firstValue("X-Repo-Commit").orElseThrow(() -> new HubException(
        HubException.Kind.PROTOCOL, "HEAD " + answered + " has no X-Repo-Commit header: " + env.endpoint()
            + " does not look like a Hugging Face Hub (check HF_ENDPOINT)"));
    String etag = head.headers().firstValue("X-Linked-Etag").or(() -> head.headers().firstValue("ETag"))
        .map(HubClient::normalizeEtag).filter(e -> !e.isEmpty()).orElseThrow(() -> new HubException(
            HubException.Kind.PROTOCOL, "HEAD " + answered + " has no ETag: the file's content cannot be verified"));
    OptionalLong size = parseSize(head.headers().firstValue("X-Linked-Size")
        .or(() -> head.headers().firstValue("Content-Length")));
    if (size.isEmpty()) {
      throw new HubException(HubException.Kind.PROTOCOL, "HEAD " + answered + " has no X-Linked-Size or Content-Length");
    }
    URI location = head.headers().firstValue("Location").map(answered::resolve).orElse(answered);
    return new FileMetadata(commit, etag, size.getAsLong(), location);
  }

  /**
   * Opens a GET of {@code url} from byte {@code offset} on (a {@code Range} request when positive),
   * following redirects. The answer is 200 (whole file: the server ignored the range) or 206; the
   * caller closes its body.
   */
  public HttpResponse<InputStream> openDownload(URI url, long offset, String what) {
    HttpResponse<InputStream> r = exchange(url, "GET", null, offset, HttpResponse.BodyHandlers.ofInputStream(), false, what);
    if (r.statusCode() != 200 && r.statusCode() != 206) {
      closeQuietly(r.body());
      check(r, what, null, null, null);
      throw new HubException(HubException.Kind.PROTOCOL, r.statusCode(), r.request().method() + " "
          + r.request().uri() + " answered " + r.statusCode() + " (expected 200 or 206) while " + what, null);
    }
    return r;
  }

  /**
   * Sends a request and follows redirects (all of them, or with {@code onlyRelative} only those
   * whose {@code Location} has no host), re-deciding at each hop whether the token may be sent.
   *
   * @param timeout limit until the response headers arrive, or {@code null} for none
   * @param rangeStart a positive value adds {@code Range: bytes=rangeStart-}
   */
  private <T> HttpResponse<T> exchange(URI url, String method, Duration timeout, long rangeStart,
      HttpResponse.BodyHandler<T> handler, boolean onlyRelative, String what) {
    for (int hops = 0; hops <= MAX_REDIRECTS; hops++) {
      HttpRequest.Builder b = request(url).method(method, HttpRequest.BodyPublishers.noBody());
      if (method.equals("HEAD")) b.header("Accept-Encoding", "identity");
      if (timeout != null) b.timeout(timeout);
      if (rangeStart > 0) b.header("Range", "bytes=" + rangeStart + "-");
      HttpResponse<T> r = send(b.build(), handler, what);
      Optional<String> location = r.headers().firstValue("Location");
      if (!isRedirect(r.statusCode()) || location.isEmpty()) return r;
      URI next = URI.create(location.get());
      if (onlyRelative && next.getHost() != null) return r;
      if (r.body() instanceof InputStream in) closeQuietly(in);
      url = url.resolve(next);
    }
    throw new HubException(HubException.Kind.PROTOCOL, "more than " + MAX_REDIRECTS + " redirects while " + what);
  }

  private HttpRequest.Builder request(URI url) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).header("User-Agent", USER_AGENT);
    if (env.token().isPresent() && sameOrigin(url, endpoint)) b.header("Authorization", "Bearer " + env.token().get());
    return b;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
        && a.getPort() == b.getPort();
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
    try {
      return http.send(request, handler);
    } catch (IOException e) {
      throw new HubException(HubException.Kind.UNREACHABLE, 0, "cannot reach " + request.uri().getHost()
          + " while " + what + " (" + request.method() + " " + request.uri() + "): " + e
          + ". Check HF_ENDPOINT and the network, or set HF_HUB_OFFLINE=1 to use the local cache only.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException c = new CancellationException("interrupted while " + what);
      c.initCause(e);
      throw c;
    }
  }

  /** Throws a clear {@link HubException} for any non-success status. */
  private void check(HttpResponse<?> r, String what, String repoId, String revision, String filename) {
    int s = r.statusCode();
    if (s >= 200 && s < 400) return;
    String url = r.request().method() + " " + r.request().uri();
    String code = r.headers().firstValue("X-Error-Code").orElse("");
    String hubMessage = r.headers().firstValue("X-Error-Message").map(m -> " The Hub says: " + m).orElse("");
    String repo = repoId == null ? "the repository" : "'" + repoId + "'";
    String message;
    HubException.Kind kind;
    if (s == 401) {
      kind = HubException.Kind.UNAUTHORIZED;
      message = "401 Unauthorized for " + url + " while " + what + ": repository " + repo
          + " does not exist, or it is private or gated and "
          + (env.token().isPresent() ? "the access token (HF_TOKEN or the token file) was refused."
              : "no access token is set (set HF_TOKEN to a token that can read it).");
    } else if (s == 403) {
      kind = HubException.Kind.UNAUTHORIZED;
      message = "403 Forbidden for " + url + " while " + what + ": access to " + repo + " is restricted"
          + (code.equals("GatedRepo") ? " (gated: accept its conditions on the Hub page, then use a token of that account)." : ".");
    } else if (s == 404) {
      kind = HubException.Kind.NOT_FOUND;
      message = switch (code) {
        case "RevisionNotFound" -> "revision '" + revision + "' does not exist in " + repo + " (404 for " + url + ").";
        case "EntryNotFound" -> "file '" + filename + "' does not exist in " + repo + "@" + revision + " (404 for " + url + ").";
        case "RepoNotFound" -> "repository " + repo + " does not exist (404 for " + url + ").";
        default -> "404 Not Found for " + url + " while " + what + ".";
      };
    } else if (s == 429 || s >= 500) {
      kind = HubException.Kind.SERVER;
      message = s + " from " + url + " while " + what + ": the Hub is failing or throttling; retry later.";
    } else {
      kind = HubException.Kind.PROTOCOL;
      message = "unexpected " + s + " from " + url + " while " + what + ".";
    }
    throw new HubException(kind, s, message + hubMessage, null);
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** {@code "abc"} and {@code W/"abc"} to {@code abc}. */
  static String normalizeEtag(String etag) {
    String e = etag.strip();
    if (e.startsWith("W/")) e = e.substring(2);
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
    return e;
  }

  private static OptionalLong parseSize(Optional<String> v) {
    if (v.isEmpty()) return OptionalLong.empty();
    try {
      long n = Long.parseLong(v.get().strip());
      return n < 0 ? OptionalLong.empty() : OptionalLong.of(n);
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Percent-encodes UTF-8 bytes outside {@code A-Z a-z 0-9 - _ . ~} (and {@code /} when {@code
   * keepSlash}), as Python's {@code urllib.parse.quote}: a revision like {@code refs/pr/1} becomes one
   * path segment, a file in a sub-folder keeps its slashes.
   */
  static String encode(String s, boolean keepSlash) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/');
      if (plain) out.append((char) c);
      else out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
          .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
    }
    return out.toString();
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the response is abandoned either way
    }
  }
}
