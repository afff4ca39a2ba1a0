/**
 * Trainer configuration: {@link dev.rmr1.training.config.SftConfig} and
 * {@link dev.rmr1.training.config.GrpoConfig} are plain records whose defaults are RM-R1's recipes
 * (spec sections 5 and 6), loaded by {@link dev.rmr1.training.config.ConfigLoader} from defaults, a
 * YAML or JSON file and command-line overrides, checked with errors that name the key and where its
 * value came from, and printed as a table at the start of a run:
 *
 * <pre>{@code
 * EffectiveConfig<GrpoConfig> eff = GrpoConfig.fromArgs(args);   // --config run.yaml --lr 1e-6 --set grpo.kl_beta=0.01
 * System.out.print(eff.table("grpo"));
 * Files.writeString(out.resolve("config.yaml"), eff.toYaml());    // reloads to the same configuration
 * GrpoConfig cfg = eff.value();
 * }</pre>
 *
 * Keys are snake_case and dotted by section ({@code optim.lr}, {@code lora.r}); every key has a
 * flag ({@code --optim-lr}), and a unique last part a short one ({@code --lr}). See
 * {@link dev.rmr1.training.config.ConfigLoader#keysHelp()} for the full list.
 */
package dev.rmr1.training.config;
