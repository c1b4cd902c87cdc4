/**
 * Internal to maha: the {@code maha} command line (picocli subcommands over maha-core), whose interface is the
 * command line, not these classes; programs use the public API, {@code org.maha.api}.
 */
package org.maha.cli;
