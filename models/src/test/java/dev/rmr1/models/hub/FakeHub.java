package dev.rmr1.models.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small stand-in for huggingface.co on loopback, answering the three calls the downloader makes as
 * the Hub does: the revision API, HEAD/GET on {@code /resolve/} (regular files inline with a git-sha1
 * ETag; LFS files, here {@code *.safetensors} and {@code *.bin}, as a 302 to a CDN on another port
 * with {@code X-Linked-Etag}/{@code X-Linked-Size}), and the CDN serving blobs with Range support.
 * Faults can be injected (cut connections, corrupt bytes, ignored ranges, auth, server errors).
 * Two {@link HttpServer}s on 127.0.0.1 with ephemeral ports and two daemon threads; {@link #close}
 * stops both.
 */
final class FakeHub implements AutoCloseable {
  record Request(String server, String method, String path, String range, String authorization) {}

  private record Repo(Map<String, Map<String, byte[]>> commits, Map<String, String> refs) {}

  private final HttpServer hub;
  private final HttpServer cdn;
  private final ExecutorService executor;
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, String> renames = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>(); // sha256 -> content
  private final Map<String, Long> cutOnce = new ConcurrentHashMap<>(); // sha256 -> bytes sent before the cut
  private final Set<String> corrupt = ConcurrentHashMap.newKeySet(); // etags served with one byte flipped
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  volatile String requiredToken;
  volatile boolean ignoreRange;
  volatile int failStatus;

  FakeHub() throws IOException {
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "fake-hub");
      t.setDaemon(true);
      return t;
    });
    hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    hub.createContext("/", ex -> serve(ex, "hub"));
    cdn.createContext("/", ex -> serve(ex, "cdn"));
    hub.setExecutor(executor);
    cdn.setExecutor(executor);
    hub.start();
    cdn.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + hub.getAddress().getPort();
  }

  private String cdnBase() {
    return "http://127.0.0.1:" + cdn.getAddress().getPort();
  }

  /** Adds a commit with these files; returns its (made-up but stable) hash. */
  String commit(String repoId, Map<String, byte[]> files) {
    MessageDigest d = digest("SHA-1");
    new TreeMap<>(files).forEach((name, content) -> {
      d.update(name.getBytes(StandardCharsets.UTF_8));
      d.update(content);
    });
    d.update(repoId.getBytes(StandardCharsets.UTF_8));
    String commit = HexFormat.of().formatHex(d.digest());
    Repo repo = repos.computeIfAbsent(repoId, k -> new Repo(new ConcurrentHashMap<>(), new ConcurrentHashMap<>()));
    repo.commits.put(commit, Map.copyOf(files));
    for (byte[] content : files.values()) blobs.put(sha256(content), content);
    return commit;
  }

  void ref(String repoId, String revision, String commit) {
    repos.get(repoId).refs.put(revision, commit);
  }

  /** Requests for {@code oldId} are redirected (relative Location) to {@code newId}, as after a rename. */
  void rename(String oldId, String newId) {
    renames.put(oldId, newId);
  }

  /** The next GET of this LFS blob sends {@code bytes} bytes and then drops the connection. */
  void cutNextDownload(byte[] content, long bytes) {
    cutOnce.put(sha256(content), bytes);
  }

  /** Every download of a file with this content has its first byte flipped. */
  void corrupt(byte[] content) {
    corrupt.add(sha256(content));
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  void clearRequests() {
    requests.clear();
  }

  static boolean isLfs(String filename) {
    return filename.endsWith(".safetensors") || filename.endsWith(".bin");
  }

  static String sha256(byte[] content) {
    return HexFormat.of().formatHex(digest("SHA-256").digest(content));
  }

  /** git's blob id: sha1 of "blob {size}\0{content}". */
  static String gitSha1(byte[] content) {
    MessageDigest d = digest("SHA-1");
    d.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
    return HexFormat.of().formatHex(d.digest(content));
  }

  static String etag(String filename, byte[] content) {
    return isLfs(filename) ? sha256(content) : gitSha1(content);
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void serve(HttpExchange ex, String server) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    requests.add(new Request(server, ex.getRequestMethod(), path,
        ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization")));
    try {
      if (server.equals("cdn")) {
        serveBlob(ex, path.substring("/blobs/".length()));
        return;
      }
      if (failStatus != 0) {
        send(ex, failStatus, Map.of(), "failing on purpose".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (requiredToken != null && !("Bearer " + requiredToken).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        send(ex, 401, Map.of("X-Error-Code", "RepoNotFound", "X-Error-Message", "Invalid credentials in Authorization header"),
            new byte[0]);
        return;
      }
      String[] parts = path.split("/");
      if (path.startsWith("/api/models/") && parts.length == 7 && parts[5].equals("revision")) {
        api(ex, parts[3] + "/" + parts[4], decode(parts[6]));
      } else if (parts.length >= 6 && parts[3].equals("resolve")) {
        String file = String.join("/", Arrays.asList(parts).subList(5, parts.length));
        resolve(ex, parts[1] + "/" + parts[2], decode(parts[4]), decode(file));
      } else {
        send(ex, 404, Map.of(), new byte[0]);
      }
    } finally {
      ex.close();
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private Optional<String> redirectIfRenamed(HttpExchange ex, String repoId) throws IOException {
    String target = renames.get(repoId);
    if (target == null) return Optional.empty();
    String path = ex.getRequestURI().getRawPath().replace(repoId, target);
    send(ex, 307, Map.of("Location", path), new byte[0]);
    return Optional.of(target);
  }

  private void api(HttpExchange ex, String repoId, String revision) throws IOException {
    if (redirectIfRenamed(ex, repoId).isPresent()) return;
    Repo repo = repos.get(repoId);
    if (repo == null) {
      send(ex, 401, Map.of("X-Error-Code", "RepoNotFound", "X-Error-Message", "Repository not found"), new byte[0]);
      return;
    }
    String commit = repo.commits.containsKey(revision) ? revision : repo.refs.get(revision);
    if (commit == null) {
      send(ex, 404, Map.of("X-Error-Code", "RevisionNotFound", "X-Error-Message", "Invalid rev id: " + revision), new byte[0]);
      return;
    }
    ObjectMapper m = new ObjectMapper();
    ObjectNode body = m.createObjectNode().put("id", repoId).put("sha", commit);
    ArrayNode siblings = body.putArray("siblings");
    new TreeMap<>(repo.commits.get(commit)).keySet().forEach(f -> siblings.addObject().put("rfilename", f));
    send(ex, 200, Map.of("Content-Type", "application/json"), m.writeValueAsBytes(body));
  }

  private void resolve(HttpExchange ex, String repoId, String revision, String file) throws IOException {
    if (redirectIfRenamed(ex, repoId).isPresent()) return;
    Repo repo = repos.get(repoId);
    String commit = repo == null ? null : repo.commits.containsKey(revision) ? revision : repo.refs.get(revision);
    if (commit == null) {
      send(ex, 404, Map.of("X-Error-Code", repo == null ? "RepoNotFound" : "RevisionNotFound"), new byte[0]);
      return;
    }
    byte[] content = repo.commits.get(commit).get(file);
    if (content == null) {
      send(ex, 404, Map.of("X-Error-Code", "EntryNotFound", "X-Repo-Commit", commit), new byte[0]);
      return;
    }
    Map<String, String> headers = new HashMap<>();
    headers.put("X-Repo-Commit", commit);
    if (isLfs(file)) {
      String sha = sha256(content);
      headers.put("X-Linked-Etag", "\"" + sha + "\"");
      headers.put("X-Linked-Size", Long.toString(content.length));
      headers.put("ETag", "W/\"" + gitSha1(("pointer " + sha).getBytes(StandardCharsets.UTF_8)) + "\"");
      headers.put("Location", cdnBase() + "/blobs/" + sha + "?signature=xyz");
      send(ex, 302, headers, new byte[0]);
    } else {
      headers.put("ETag", "\"" + gitSha1(content) + "\"");
      if (ex.getRequestMethod().equals("HEAD")) {
        headers.put("Content-Length", Long.toString(content.length));
        send(ex, 200, headers, new byte[0]);
      } else {
        sendRange(ex, headers, served(content));
      }
    }
  }

  private byte[] served(byte[] content) {
    if (!corrupt.contains(sha256(content))) return content;
    byte[] bad = content.clone();
    bad[0] ^= 1;
    return bad;
  }

  private void serveBlob(HttpExchange ex, String sha) throws IOException {
    byte[] content = blobs.get(sha);
    if (content == null) {
      send(ex, 404, Map.of(), new byte[0]);
      return;
    }
    Long cut = cutOnce.remove(sha);
    if (cut != null) {
      // Announce the whole (remaining) length, send part of it, then close: the client sees the
      // connection end early, as when a network drops mid-download.
      long start = rangeStart(ex);
      if (start > 0) {
        ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
      }
      ex.sendResponseHeaders(start > 0 ? 206 : 200, content.length - start);
      OutputStream out = ex.getResponseBody();
      out.write(content, (int) start, (int) (cut - start));
      out.flush();
      // Let the client drain its socket before the abrupt close: a reset can discard bytes still in
      // the client's receive buffer, which would make the cut point vary from run to run.
      sleep(100);
      return;
    }
    sendRange(ex, new HashMap<>(), served(content));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long rangeStart(HttpExchange ex) {
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range == null || ignoreRange) return 0;
    if (!range.startsWith("bytes=") || !range.endsWith("-")) throw new IllegalStateException("unexpected Range " + range);
    return Long.parseLong(range.substring(6, range.length() - 1));
  }

  private void sendRange(HttpExchange ex, Map<String, String> headers, byte[] content) throws IOException {
    long start = rangeStart(ex);
    if (start > 0) {
      headers.put("Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
      send(ex, 206, headers, Arrays.copyOfRange(content, (int) start, content.length));
    } else {
      send(ex, 200, headers, content);
    }
  }

  private static void send(HttpExchange ex, int status, Map<String, String> headers, byte[] body) throws IOException {
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    boolean noBody = body.length == 0 || ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, noBody ? -1 : body.length);
    if (!noBody) ex.getResponseBody().write(body);
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
