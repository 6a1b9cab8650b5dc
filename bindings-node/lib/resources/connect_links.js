'use strict';
// connectLinks: the hosted OAuth flow that connects a social account.

const {
  native,
  json,
  parse,
  requireString,
  requireObject,
  requestOptions,
  run,
  sync,
} = require('../call');

class ConnectLinks {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /** Creates a hosted authorization page for one platform; send your user to `link.url`. */
  create(params, options) {
    return run(null, async () => {
      const body = json(requireObject(params, 'params'), 'params');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.connectLinksCreate(body, opts, token)).then(parse);
    });
  }

  /** The link, with `status` and, once completed, `profileId`. */
  get(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.connectLinksGet(id, opts, token)).then(parse);
    });
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
