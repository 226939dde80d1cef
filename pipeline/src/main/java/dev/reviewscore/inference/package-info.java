/**
 * The model on one JVM: opening a model folder (local or a Hadoop URI), loading it once per executor through
 * DJL's PyTorch engine on the task's device, tokenizing, and predicting batches of texts.
 */
package dev.reviewscore.inference;
