/**
 * What a person sees on the terminal: the console modes of {@code capsync run} (live progress bar, plain, quiet), the
 * progress line and its ETA, styles, and the table / JSON / CSV listing of the history commands. Reads progress through
 * {@code history}.
 */
package org.capsync.console;
