/**
 * Tor Browser in the catalog. Debian only ships torbrowser-launcher, which
 * downloads Tor Browser through Tor on every new desktop's first start (a
 * dead end wherever Tor is unreachable); GenOS instead unpacks a Tor Browser
 * tarball into the app layer when the image is built, on deployments that
 * configure a source for it (GENOS_TOR_BROWSER_SOURCE, see the README).
 */

/** The app's id, kept from when it was Debian's torbrowser-launcher (specs and catalog rows carry it). */
export const TOR_BROWSER_APP = 'torbrowser-launcher';

/**
 * Not a Debian package: the app layer build's marker for "unpack the
 * deployment's Tor Browser into /opt/torbrowser" (apps/worker/src/images/build-app-layer.ts),
 * which also installs the Debian libraries Tor Browser needs.
 */
export const TOR_BROWSER_PACKAGE = 'genos-torbrowser';

/** What a desktop without Tor Browser gets instead: Firefox ESR, its traffic through the Tor gateway. */
export const TOR_BROWSER_STAND_IN = 'firefox-esr';
