/**
 * Not part of the API: the bridge that lets maha's own command line and service reach the internals behind the
 * public types of {@code org.maha.api}. Applications must not use it; it may change in any release.
 */
package org.maha.api.internal;
