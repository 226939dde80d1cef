/**
 * What every layer shares: a run's id and start, and the error a user can fix ({@link
 * dev.reviewscore.InvalidInputException}, exit code 2).
 */
package dev.reviewscore;
