package dev.rmr1.training.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a key or section that does not change what a run computes (where output goes, how often it
 * is logged or saved), so it is left out of {@link EffectiveConfig#hash()}: a run resumed with a
 * different logging interval is still the same run.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface NotHashed {}
