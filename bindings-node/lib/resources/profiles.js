'use strict';
// profiles: the connected social accounts.

const { requireString, call, pages } = require('../call');

class Profiles {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /** Every connected profile, newest first, fetched page by page as you iterate. */
  list(options) {
    return pages(this.#native, 'profilesList', () => [], options);
  }

  get(id, options) {
    return call(this.#native, 'profilesGet', () => [requireString(id, 'id')], options);
  }

  /** Disconnects the account; returns the profile, now `disconnected`. */
  disconnect(id, options) {
    return call(this.#native, 'profilesDisconnect', () => [requireString(id, 'id')], options);
  }
}

module.exports = { Profiles };
