/**
 * The job configuration: HOCON files and overrides loaded into validated records, with every setting's
 * default and the cross-field checks. Depends on nothing else in the project.
 */
package dev.reviewscore.config;
