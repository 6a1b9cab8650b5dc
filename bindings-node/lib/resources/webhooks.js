'use strict';
// webhooks: endpoints, and verifying the signed deliveries a receiver gets.

const { native, json, requireString, requireObject, optionalNumber, call, pages, sync } = require('../call');
const { invalidArgument } = require('../errors');

class Webhooks {
  #native;
  constructor(client) {
    this.#native = client;
  }

  /** Registers an endpoint; the returned `secret` is shown only here. */
  create(params, options) {
    const args = () => [json(requireObject(params, 'params'), 'params')];
    return call(this.#native, 'webhooksCreate', args, options);
  }

  /** Every endpoint (without secrets), page by page as you iterate. */
  list(options) {
    return pages(this.#native, 'webhooksList', () => [], options);
  }

  delete(id, options) {
    return call(this.#native, 'webhooksDelete', () => [requireString(id, 'id')], options).map(() => undefined);
  }

  /**
   * A webhook's deliveries, newest first, page by page as you iterate; `params.status`
   * (`pending`, `succeeded` or `failed`: the dead letters, kept 30 days) keeps only those.
   */
  deliveries(id, params, options) {
    const args = () => {
      const p = requireObject(params, 'params', { optional: true });
      return [requireString(id, 'id'), json({ status: p.status }, 'params')];
    };
    return pages(this.#native, 'webhooksDeliveries', args, options);
  }

  /** Sends a delivery again now (same event id and body, fresh signature); returns it, `pending`. */
  redeliver(id, deliveryId, options) {
    const args = () => [requireString(id, 'id'), requireString(deliveryId, 'deliveryId')];
    return call(this.#native, 'webhooksRedeliver', args, options);
  }

  /**
   * Checks a delivery's `x-aether-signature` against its raw body with any of your secrets
   * (constant time; `t` within the tolerance). Throws INVALID_ARGUMENT with `details.reason`
   * otherwise. Synchronous: it does no I/O.
   */
  verifySignature(params) {
    const { payload, header, secrets, toleranceSeconds, now } = verifyParams(params);
    sync(() => native.verifySignature(payload, header, secrets, toleranceSeconds, now));
    return true;
  }

  /** Verifies like `verifySignature` and returns the parsed event. */
  constructEvent(params) {
    const { payload, header, secrets, toleranceSeconds } = verifyParams(params);
    return JSON.parse(sync(() => native.constructEvent(payload, header, secrets, toleranceSeconds)));
  }
}

function verifyParams(params) {
  const p = requireObject(params, 'params');
  let payload = p.payload;
  if (typeof payload === 'string') payload = Buffer.from(payload);
  else if (ArrayBuffer.isView(payload)) payload = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  else throw invalidArgument('payload must be the raw body: a string or a Buffer');
  if (typeof p.header !== 'string') throw invalidArgument('header must be the x-aether-signature value (a string)');
  const secrets = typeof p.secret === 'string' ? [p.secret] : p.secrets;
  if (!Array.isArray(secrets) || !secrets.every((s) => typeof s === 'string')) {
    throw invalidArgument('give secret (a string) or secrets (an array of strings)');
  }
  let now = p.now;
  if (now instanceof Date) now = now.getTime() / 1000;
  return {
    payload,
    header: p.header,
    secrets,
    toleranceSeconds: optionalNumber(p.toleranceSeconds, 'toleranceSeconds'),
    now: optionalNumber(now, 'now'),
  };
}

module.exports = { Webhooks };
