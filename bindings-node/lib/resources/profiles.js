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

  /**
   * What the account may post now (TikTok's creator info: privacy levels, longest video,
   * comment/duet/stitch switches; the daily quota). Also refreshes the client's preflight cache:
   * `posts.create` and `media.upload({ profileIds })` read them at most once a minute per profile.
   */
  capabilities(id, options) {
    return call(this.#native, 'profilesCapabilities', () => [requireString(id, 'id')], options);
  }

  /** Disconnects the account; returns the profile, now `disconnected`. */
  disconnect(id, options) {
    return call(this.#native, 'profilesDisconnect', () => [requireString(id, 'id')], options);
  }
}

module.exports = { Profiles };
