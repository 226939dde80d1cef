/**
 * Quality gates: the thresholds a run's evaluation, reject rate and drift must meet, checked into the broken
 * gates a scheduler acts on.
 */
package dev.reviewscore.gates;
