/**
 * {@code capsync demo}: a demo site with CAPs and simulated clients that hold {@code client.lkp} open, the only place
 * where capsync itself holds files open on purpose. Watches the run through {@code history} and {@code repository}.
 */
package org.capsync.demo;
