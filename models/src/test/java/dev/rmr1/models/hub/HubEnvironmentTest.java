package dev.rmr1.models.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubEnvironmentTest {
  @TempDir Path home;

  @Test
  void defaultsMatchHuggingfaceHub() {
    HubEnvironment e = HubEnvironment.from(Map.of(), home);
    assertEquals("https://huggingface.co", e.endpoint());
    assertEquals(home.resolve(".cache/huggingface/hub"), e.hubCache());
    assertEquals(Optional.empty(), e.token());
    assertFalse(e.offline());
  }

  @Test
  void cacheLocationPrecedence() {
    assertEquals(Path.of("/x/huggingface/hub"), HubEnvironment.from(Map.of("XDG_CACHE_HOME", "/x"), home).hubCache());
    assertEquals(Path.of("/hf/hub"), HubEnvironment.from(Map.of("XDG_CACHE_HOME", "/x", "HF_HOME", "/hf"), home).hubCache());
    assertEquals(home.resolve("hf/hub"), HubEnvironment.from(Map.of("HF_HOME", "~/hf"), home).hubCache());
    assertEquals(Path.of("/legacy"), HubEnvironment.from(Map.of("HF_HOME", "/hf", "HUGGINGFACE_HUB_CACHE", "/legacy"), home).hubCache());
    assertEquals(Path.of("/c"), HubEnvironment.from(
        Map.of("HF_HOME", "/hf", "HUGGINGFACE_HUB_CACHE", "/legacy", "HF_HUB_CACHE", "/c"), home).hubCache());
    assertEquals(home.resolve(".cache/huggingface/hub"), HubEnvironment.from(Map.of("HF_HOME", ""), home).hubCache(),
        "an empty variable counts as unset");
  }

  @Test
  void tokenFromVariableOrTokenFile() throws IOException {
    Path hfHome = home.resolve("hf");
    Files.createDirectories(hfHome);
    Files.writeString(hfHome.resolve("token"), "hf_from_file\n");
    assertEquals(Optional.of("hf_from_file"), HubEnvironment.from(Map.of("HF_HOME", hfHome.toString()), home).token());
    assertEquals(Optional.of("hf_env"), HubEnvironment.from(Map.of("HF_HOME", hfHome.toString(), "HF_TOKEN", "hf_env"), home).token());
    assertEquals(Optional.of("hf_old"), HubEnvironment.from(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_old"), home).token());
    Path other = home.resolve("elsewhere");
    Files.writeString(other, "hf_path");
    assertEquals(Optional.of("hf_path"), HubEnvironment.from(Map.of("HF_TOKEN_PATH", other.toString()), home).token());
  }

  @Test
  void offlineFlagAcceptsHuggingfaceHubsTrueValues() {
    for (String v : new String[] {"1", "true", "TRUE", "yes", "On"}) {
      assertTrue(HubEnvironment.from(Map.of("HF_HUB_OFFLINE", v), home).offline(), v);
    }
    for (String v : new String[] {"0", "false", "no", "off"}) {
      assertFalse(HubEnvironment.from(Map.of("HF_HUB_OFFLINE", v), home).offline(), v);
    }
    assertTrue(HubEnvironment.from(Map.of("TRANSFORMERS_OFFLINE", "1"), home).offline());
  }

  @Test
  void endpointIsNormalisedAndChecked() {
    assertEquals("http://127.0.0.1:9", HubEnvironment.from(Map.of("HF_ENDPOINT", "http://127.0.0.1:9//"), home).endpoint());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HubEnvironment.from(Map.of("HF_ENDPOINT", "huggingface.co"), home));
    assertTrue(e.getMessage().contains("HF_ENDPOINT"), e.getMessage());
  }

  @Test
  void toStringHidesTheToken() {
    HubEnvironment e = HubEnvironment.from(Map.of("HF_TOKEN", "hf_secret"), home);
    assertFalse(e.toString().contains("hf_secret"), e.toString());
    assertTrue(e.toString().contains("token=(set)"), e.toString());
  }
}
