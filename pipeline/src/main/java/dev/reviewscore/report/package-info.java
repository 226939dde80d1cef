/**
 * The run's reports for people: the model-card block, and Markdown, JSON and self-contained HTML files.
 */
package dev.reviewscore.report;
