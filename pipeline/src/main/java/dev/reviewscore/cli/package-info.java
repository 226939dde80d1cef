/**
 * The command line: parses arguments, prints what runs and maps outcomes to exit codes (or, on a platform-hosted
 * driver, to a thrown failure). The work itself is {@link dev.reviewscore.job}'s.
 */
package dev.reviewscore.cli;
