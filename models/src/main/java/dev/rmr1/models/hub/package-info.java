/**
 * Finding a model's files: {@link dev.rmr1.models.hub.ModelResolver} turns a local directory, a
 * Hugging Face cache folder or {@code ORG/NAME[@revision]} into a directory, downloading from the Hub
 * into the cache that huggingface_hub also uses ({@link dev.rmr1.models.hub.SnapshotDownloader}),
 * with resumable, verified downloads and offline mode.
 */
package dev.rmr1.models.hub;
