package dev.rmr1.training.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a configuration key that may be null. On a value key (String, Path) null is a legal setting;
 * without the mark a null value means "required and not set". On a section (a nested record) null
 * means "switched off" (for example {@code lora: null} = full fine-tuning); setting any key inside
 * the section switches it on with the section's defaults for the other keys, which the section
 * record supplies through a public static {@code defaults()} method.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Nullable {}
