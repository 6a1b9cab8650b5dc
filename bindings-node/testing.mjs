// `aether/testing` as an ES module.
import cjs from './testing.js';

export const { MockServer, signWebhookPayload } = cjs;
export default cjs;
