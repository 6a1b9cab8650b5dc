// Types of `aether/testing` as an ES module.
import testing from './testing.js';

export default testing;
export { MockServer, signWebhookPayload } from './testing.js';
export type {
  MockSettings,
  MockServerOptions,
  FaultRule,
  ChaosKind,
  ChaosConfig,
  ChaosReport,
  ForceOutcomeParams,
  OutcomeRule,
  JournalEntry,
  ServedFile,
} from './testing.js';
