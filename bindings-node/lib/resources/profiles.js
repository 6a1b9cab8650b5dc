'use strict';
// profiles: the connected social accounts.

const {
  native,
  json,
  parse,
  requireString,
  requestOptions,
  run,
  iterate,
} = require('../call');

class Profiles {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /** Every connected profile, newest first, fetched page by page as you iterate. */
  list(options) {
    const { json: opts, signal } = requestOptions(options);
    return iterate(() => this.#native.profilesList(opts), signal);
  }

  get(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.profilesGet(id, opts, token)).then(parse);
    });
  }

  /** Disconnects the account; returns the profile, now `disconnected`. */
  disconnect(id, options) {
    return run(null, async () => {
      requireString(id, 'id');
      const { json: opts, signal } = requestOptions(options);
      return run(signal, (token) => this.#native.profilesDisconnect(id, opts, token)).then(parse);
    });
  }
}

module.exports = { Profiles };
