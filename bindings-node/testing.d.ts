// Types of `aether/testing`: the Aether emulator embedded in the addon, for tests.
import Aether = require('./index.js');

declare namespace testing {
  /** The emulator's knobs (`PATCH /_mock/settings`). */
  interface MockSettings {
    /** How long a target takes to publish, in virtual ms (default 1 500). */
    processingMs?: number;
    rateLimit?: number;
    rateLimitWindowSecs?: number;
    maxJsonBody?: number;
    maxSingleUpload?: number;
    maxUploadSize?: number;
    uploadExpirySecs?: number;
    connectLinkExpirySecs?: number;
    approvedTier?: Aether.Tier;
    pollHintSecs?: number;
    /** Real ms the emulator spends fetching one media URL (default 10 000). */
    ingestTimeoutMs?: number;
    /** Attempts per webhook delivery before it is `failed` (default 8). */
    webhookMaxAttempts?: number;
  }

  /** Who wrote a simulated comment or message; either part is made up when absent. */
  interface SimulatedAuthor {
    id?: string;
    username?: string;
  }

  interface SimulateCommentParams {
    text: string;
    postId?: string;
    platformPostId?: string;
    author?: SimulatedAuthor;
    /** RFC 3339; the virtual clock's now by default. */
    createdAt?: string;
  }

  interface SimulateMessageParams {
    text: string;
    /** A new conversation by default. */
    conversationId?: string;
    /** `inbound` by default. */
    direction?: Aether.MessageDirection;
    author?: SimulatedAuthor;
    createdAt?: string;
  }

  interface MessagePatch {
    /** RFC 3339: when it was read. */
    readAt?: string;
    text?: string;
  }

  /** A file of the emulator's loopback file server (`putFile`, `fileStats`). */
  interface ServedFile {
    name: string;
    /** Fetchable without a key; answers range requests. */
    url: string;
    size: number;
    contentType: string;
    requests: number;
    rangeRequests: number;
    bytesServed: number;
  }

  interface MockServerOptions {
    /** The API key accepted (default `sk_test_aether_mock`). */
    apiKey?: string;
    /** The admin token (random by default). */
    adminToken?: string;
    /** Where media bytes are kept (a temp dir, removed at stop, by default). */
    dataDir?: string;
    settings?: MockSettings;
    /** Serve HTTPS with a CA and certificates made at start (see `caFile`). */
    tls?: boolean;
    /** With `tls`: require client certificates signed by that CA (`clientCertFile`, `clientKeyFile` is one). */
    tlsClientAuth?: boolean;
  }

  /** A fault rule: which requests, how many, and what happens to them. */
  interface FaultRule {
    method?: string;
    /** `*` matches within a segment, `**` across segments. */
    path: string;
    times?: number;
    probability?: number;
    action:
      /** `retryAfterMs` is sent as `Retry-After-Ms`, `shouldRetry` as `X-Should-Retry`. */
      | { type: 'status'; status: number; code?: string; retryAfter?: number; retryAfterMs?: number; shouldRetry?: boolean }
      | { type: 'delay'; ms: number }
      | { type: 'reset_before_body' }
      | { type: 'reset_after_body' }
      | { type: 'close_mid_response' }
      | { type: 'truncated_body' }
      | { type: 'malformed_body' }
      | { type: 'incomplete_json' }
      /** The real body with a byte 0xFF (never UTF-8) inside its first string value. */
      | { type: 'invalid_utf8' }
      | { type: 'drop_after_request_bytes'; bytes: number }
      /** Headers and `afterBytes` of the body, then a pause of `ms`, then the rest. */
      | { type: 'stall_mid_response'; afterBytes: number; ms: number }
      /** Reads `afterBytes` of the request body, then nothing for `ms` (journaled on arrival). */
      | { type: 'stall_request_body'; afterBytes: number; ms: number }
      /** After answering, the kept-alive connection counts as closed once idle `ms`: the next request on it is dropped unanswered. */
      | { type: 'close_idle'; ms: number };
  }

  /** A fault chaos mode picks from. */
  type ChaosKind =
    | 'reset_before_body'
    | 'reset_after_body'
    | 'unavailable'
    | 'unavailable_retry_after'
    | 'close_mid_response'
    | 'truncated_body'
    | 'stall'
    | 'delay';

  /** Chaos mode's settings (`PUT /_mock/chaos`), checked by the emulator before anything is sent. */
  interface ChaosConfig {
    /** Seeds the draws: the same seed faults the same requests of a sequential client again. */
    seed: number;
    /** The share (0–1) of API requests faulted. */
    rate: number;
    /** The faults to pick from (all when absent). */
    kinds?: ChaosKind[];
    /** Faults at most per call, explicit fault rules included (2). */
    maxPerCall?: number;
    /** How long a `stall` lasts, in ms (300). */
    stallMs?: number;
    /** How long a `delay` lasts, in ms (150). */
    delayMs?: number;
  }

  /** What chaos mode did, and whether the client kept its promises through it. */
  interface ChaosReport {
    /** No duplicates and no orphans. */
    ok: boolean;
    /** The settings in force; null when chaos mode is off. */
    config: ChaosConfig | null;
    /** API requests received. */
    requests: number;
    /** Requests chaos mode faulted. */
    faulted: number;
    faults: Array<{ seq: number; method: string; path: string; fault: string; clientRequestId: string | null }>;
    /** A call, or an idempotency key, that created more than one resource. */
    duplicates: Array<{ clientRequestId?: string; idempotencyKey?: string; created: string[] }>;
    /** Upload sessions left open that no request touched after creating them. */
    orphans: string[];
  }

  interface ForceOutcomeParams {
    outcome: 'published' | 'failed';
    code?: Aether.ErrorCode;
    message?: string;
    /** Only this target (default: every unfinished one). */
    profileId?: string;
  }

  /**
   * How targets that finish later end (`POST /_mock/outcomes`): their first `transientFailures`
   * publish attempts fail transiently (the server retries them), then they end as `outcome`
   * (published when absent). A rule needs `outcome`, `transientFailures` or both.
   */
  interface OutcomeRule extends Omit<ForceOutcomeParams, 'outcome'> {
    outcome?: 'published' | 'failed';
    /** e.g. 2: "two transient failures, then success". */
    transientFailures?: number;
    platform?: Aether.Platform;
    /** Apply to the next N targets, then disappear (default: always). */
    times?: number;
  }

  /**
   * A request the emulator received, or a publish attempt it made to a platform
   * (`method: "PUBLISH"`, `path: "/platforms/{platform}/publish"`, `postId`, `created` = the
   * platform's post id when it went live, `status` 503 for a transient failure).
   */
  interface JournalEntry {
    method: string;
    path: string;
    status: number | null;
    postId?: string;
    /** The W3C `traceparent` received, or null. */
    traceparent?: string | null;
    /** `X-Aether-Retry-Count`: 0 for a first attempt, n for the n-th retry. */
    retryCount?: number;
    /** The connection it came on, numbered from 1 in the order the emulator accepted them (none for a publish attempt). */
    connection?: number;
    [key: string]: unknown;
  }

  /** An emulator of the Aether API running inside this process. */
  class MockServer {
    private constructor();
    /** Starts one on 127.0.0.1 and a free port. */
    static start(options?: MockServerOptions): Promise<MockServer>;
    readonly url: string;
    readonly apiKey: string;
    readonly adminToken: string;
    /** Over HTTPS: the generated CA's PEM file; else null. */
    readonly caFile: string | null;
    /** Over HTTPS: a client certificate signed by that CA; else null. */
    readonly clientCertFile: string | null;
    /** Over HTTPS: its private key; else null. */
    readonly clientKeyFile: string | null;
    /** `{ AETHER_API_KEY, AETHER_BASE_URL }` (and `AETHER_CA_BUNDLE` over HTTPS) for this emulator. */
    readonly env: { AETHER_API_KEY: string; AETHER_BASE_URL: string; AETHER_CA_BUNDLE?: string };
    /** A client of this emulator (trusting its CA over HTTPS). */
    client(options?: Aether.ClientOptions): Aether;
    approveConnectLink(
      link: string | { id: string },
      options?: { tier?: Aether.Tier },
    ): Promise<{ link: Aether.ConnectLink; profile: Aether.Profile; redirect: string }>;
    denyConnectLink(link: string | { id: string }): Promise<{ link: Aether.ConnectLink; redirect: string }>;
    createProfile(params: { platform: Aether.Platform; tier?: Aether.Tier; username?: string; id?: string }): Promise<Aether.Profile>;
    revokeProfile(id: string): Promise<Aether.Profile>;
    setCapabilities(
      id: string,
      settings: {
        maxVideoDurationSec?: number;
        privacyLevelOptions?: Array<'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY'>;
        commentDisabled?: boolean;
        duetDisabled?: boolean;
        stitchDisabled?: boolean;
        canPost?: boolean;
      },
    ): Promise<Aether.ProfileCapabilities>;
    advanceClock(by: number | { seconds: number } | { ms: number }): Promise<{ now: string }>;
    clock(): Promise<{ now: string }>;
    forceOutcome(postId: string, params: ForceOutcomeParams): Promise<Aether.Post>;
    addOutcomeRule(rule: OutcomeRule): Promise<OutcomeRule & { id: string }>;
    outcomeRules(): Promise<Array<OutcomeRule & { id: string }>>;
    clearOutcomeRules(): Promise<void>;
    injectFault(rule: FaultRule): Promise<FaultRule & { id: string }>;
    faults(): Promise<Array<FaultRule & { id: string }>>;
    deleteFault(id: string): Promise<void>;
    clearFaults(): Promise<void>;
    settings(): Promise<Required<MockSettings>>;
    updateSettings(patch: MockSettings): Promise<Required<MockSettings>>;
    reset(settings?: MockSettings): Promise<void>;
    putFile(
      name: string,
      data: Uint8Array,
      options?: { contentType?: string; freeBox?: number },
    ): Promise<ServedFile>;
    fileStats(name: string): Promise<ServedFile>;
    journal(): Promise<JournalEntry[]>;
    clearJournal(): Promise<void>;
    /** Turns chaos mode on: seeded random faults a correct client survives by retrying. */
    startChaos(config: ChaosConfig): Promise<ChaosConfig>;
    /** Turns chaos mode off. */
    stopChaos(): Promise<void>;
    /** The faults injected, and whether anything was created twice or an upload orphaned. */
    chaosReport(): Promise<ChaosReport>;
    webhookDeliveries(webhookId?: string): Promise<unknown[]>;
    /** Someone comments on the profile's post; raises `comment.created`. */
    simulateComment(profileId: string, params: SimulateCommentParams): Promise<Aether.Comment>;
    /** A direct message arrives (or is sent); raises `message.created`. */
    simulateMessage(profileId: string, params: SimulateMessageParams): Promise<Aether.Message>;
    /** Changes a simulated message (e.g. `readAt`); raises `message.updated`. */
    updateMessage(messageId: string, patch: MessagePatch): Promise<Aether.Message>;
    /** Stops it: open connections end, its temp dir is removed. */
    stop(): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
  }

  /** A valid `x-aether-signature` for `payload`, to test a webhook receiver. */
  function signWebhookPayload(payload: string | Buffer, secret: string, timestamp?: number): string;
}

export = testing;
