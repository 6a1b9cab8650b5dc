'use strict';
// connectLinks: the hosted OAuth flow that connects a social account.

const { native, json, requireString, requireObject, call, sync } = require('../call');

class ConnectLinks {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /** Creates a hosted authorization page for one platform; send your user to `link.url`. */
  create(params, options) {
    const args = () => [json(requireObject(params, 'params'), 'params')];
    return call(this.#native, 'connectLinksCreate', args, options);
  }

  /** The link, with `status` and, once completed, `profileId`. */
  get(id, options) {
    return call(this.#native, 'connectLinksGet', () => [requireString(id, 'id')], options);
  }

  /**
   * Checks the redirect your user comes back with (`state` first, in constant time) and returns
   * `{ profileId, linkId }`; throws FORBIDDEN when the user declined.
   */
  verifyCallback(url, expectedState) {
    requireString(url, 'url');
    requireString(expectedState, 'expectedState');
    return JSON.parse(sync(() => native.verifyConnectCallback(url, expectedState)));
  }
}

module.exports = { ConnectLinks };
