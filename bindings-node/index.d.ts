// Types of the npm package `aether` (CommonJS view: `require("aether")` is the Aether class,
// with every other export as its property). `index.d.mts` is the ES module view of the same
// declarations: `import Aether, { AetherError, type Post } from "aether"`.

/// <reference types="node" />

import type { Readable } from 'node:stream';

/**
 * The Aether client: one object, resources as properties, every call a Promise.
 *
 * ```ts
 * import Aether from "aether";
 * const aether = new Aether({ apiKey: process.env.AETHER_API_KEY });
 * ```
 */
declare class Aether {
  /** Reads `AETHER_API_KEY` and `AETHER_BASE_URL` for what is not given; throws `INVALID_ARGUMENT` without a key. */
  constructor(options?: Aether.ClientOptions);
  readonly connectLinks: Aether.ConnectLinks;
  readonly profiles: Aether.Profiles;
  readonly posts: Aether.Posts;
  readonly media: Aether.MediaResource;
  readonly webhooks: Aether.Webhooks;
  /** The base URL requests go to. */
  readonly baseUrl: string;
  /** The User-Agent sent. */
  readonly userAgent: string;
  /** The rate-limit headers of the latest response that had them. */
  readonly lastRateLimit: Aether.RateLimit | null;
  /** The settings the client runs with: what was given, else the environment, else the core's defaults (durations in ms; never the key). */
  effectiveOptions(): Aether.EffectiveOptions;
  /** Every default of the core. */
  static defaults(): Aether.Defaults;
  /**
   * Closes the client's kept-alive connections; resolves once they are closed (within a
   * second). The client stays usable: its next call opens a new connection.
   */
  close(): Promise<void>;
  /**
   * Any endpoint, including one the SDK does not wrap (e.g. `GET /v1/platforms`): `path` under
   * the base URL, starting with `/` (a full URL is `INVALID_ARGUMENT`). Resolves with the
   * response's JSON (`null` when empty); `.withResponse()` adds status and headers. Same
   * transport as every method: auth, retries, an idempotency key on a POST, timeouts.
   */
  request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | (string & {}),
    path: string,
    params?: Aether.RawRequestParams,
  ): Aether.APIPromise<T>;

  static readonly Aether: typeof Aether;
  static readonly default: typeof Aether;
}

declare namespace Aether {
  /** The settings a client runs with, in the core's names. */
  interface EffectiveOptions {
    baseUrl: string;
    timeoutMs: number;
    connectTimeoutMs: number;
    attemptTimeoutMs: number;
    maxRetries: number;
    retryBackoffBaseMs: number;
    retryBackoffCapMs: number;
    userAgentSuffix?: string;
    caBundle?: string;
    clientCert?: string;
    clientKey?: string;
    /** The proxy option as given, its password shown as `[redacted]`; `""`: none; absent: the environment's. */
    proxy?: string;
  }

  /** The core's defaults, per option type (durations in ms). */
  interface Defaults {
    client: EffectiveOptions;
    upload: { platforms: string[]; tier: string; parallelism: number; singleShotThreshold: number; stallTimeoutMs: number; sha256: boolean };
    postsWait: { pollIntervalMs: number; maxPollIntervalMs: number; timeoutMs: number; noTimeout: boolean };
    mediaWait: { pollIntervalMs: number; maxPollIntervalMs: number; timeoutMs: number; noTimeout: boolean };
    webhooks: { signatureHeader: string; toleranceMs: number };
  }

  // ---------------------------------------------------------------------------------------
  // Vocabulary
  // ---------------------------------------------------------------------------------------

  /** A social platform Aether publishes to. */
  type Platform = 'tiktok' | 'instagram' | 'linkedin' | 'facebook' | 'youtube' | 'threads' | 'reddit';
  /** A profile's account tier; TikTok creator accounts may post longer videos. */
  type Tier = 'standard' | 'creator';
  /** `draft → scheduled → publishing → published | partially_published | failed`; `draft | scheduled → cancelled`. */
  type PostStatus =
    | 'draft'
    | 'scheduled'
    | 'publishing'
    | 'published'
    | 'partially_published'
    | 'failed'
    | 'cancelled';
  /** Where one target (one profile) of a post stands. */
  type TargetStatus = 'pending' | 'scheduled' | 'publishing' | 'published' | 'failed' | 'cancelled';
  type ConnectLinkStatus = 'pending' | 'completed' | 'denied' | 'expired';
  type ProfileStatus = 'active' | 'disconnected';
  type MediaStatus = 'processing' | 'ready' | 'failed';
  type MediaKind = 'video' | 'image' | 'audio';
  type Container = 'mp4' | 'mov' | 'webm' | 'matroska' | 'jpeg' | 'png' | 'gif';
  type VideoCodec = 'h264' | 'h265' | 'av1' | 'vp8' | 'vp9' | 'mpeg4';
  type UploadStatus = 'uploading' | 'completed' | 'aborted';
  type ScheduleResolution = 'exact' | 'shifted_forward' | 'earlier_instant';
  type WebhookEventType =
    | 'post.scheduled'
    | 'post.publishing'
    | 'post.published'
    | 'post.failed'
    | 'post.cancelled'
    | 'comment.created'
    | 'message.created'
    | 'message.updated';
  type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';
  type MessageDirection = 'inbound' | 'outbound';

  /** Every error code: the same strings in every language of the SDK. */
  type ErrorCode =
    | 'UNAUTHORIZED'
    | 'FORBIDDEN'
    | 'NOT_FOUND'
    | 'INVALID_REQUEST'
    | 'BULK_INVALID'
    | 'RATE_LIMITED'
    | 'IDEMPOTENCY_KEY_REUSED'
    | 'IDEMPOTENCY_KEY_IN_USE'
    | 'POST_NOT_EDITABLE'
    | 'POST_NOT_RETRYABLE'
    | 'PROFILE_DISCONNECTED'
    | 'CAPTION_TOO_LONG'
    | 'TITLE_REQUIRED'
    | 'TITLE_TOO_LONG'
    | 'TOO_MANY_HASHTAGS'
    | 'TOO_MANY_MENTIONS'
    | 'MEDIA_REQUIRED'
    | 'UNSUPPORTED_MEDIA_TYPE'
    | 'TOO_MANY_MEDIA'
    | 'VIDEO_TOO_SHORT'
    | 'VIDEO_TOO_LONG'
    | 'FILE_TOO_LARGE'
    | 'SUBREDDIT_REQUIRED'
    | 'INVALID_PLATFORM_OPTION'
    | 'SCHEDULE_IN_PAST'
    | 'SCHEDULE_TOO_FAR'
    | 'INVALID_TIMEZONE'
    | 'POST_LIMIT_REACHED'
    | 'CHECKSUM_MISMATCH'
    | 'UPLOAD_INCOMPLETE'
    | 'UPLOAD_EXPIRED'
    | 'PLATFORM_ERROR'
    | 'INTERNAL_ERROR'
    | 'SERVICE_UNAVAILABLE'
    | 'MEDIA_FETCH_FAILED'
    | 'NETWORK_ERROR'
    | 'TIMEOUT'
    | 'CANCELLED'
    | 'INVALID_ARGUMENT'
    | 'IO_ERROR'
    | 'PROTOCOL_ERROR'
    | 'OUTCOME_UNKNOWN'
    | 'TLS_ERROR'
    | 'PROXY_ERROR';

  /** An RFC 3339 timestamp as the server sent it, e.g. `"2026-06-13T09:00:00Z"`. */
  type Timestamp = string;

  // ---------------------------------------------------------------------------------------
  // Results (the API's JSON, camelCase)
  // ---------------------------------------------------------------------------------------

  /** A hosted authorization page for one platform. */
  interface ConnectLink {
    /** `link_…` */
    id: string;
    platform: Platform;
    /** The page to send your user to. */
    url: string;
    redirectUrl: string;
    state?: string;
    status: ConnectLinkStatus;
    expiresAt: Timestamp;
    /** The connected profile, once `completed`. */
    profileId?: string;
    createdAt?: Timestamp;
  }

  /** What a verified connect-link redirect says. */
  interface ConnectCallback {
    profileId: string;
    linkId: string;
  }

  /** A connected social account. */
  interface Profile {
    /** Opaque, e.g. `tiktok_…` or `ig_abc123`. */
    id: string;
    platform: Platform;
    username: string;
    displayName: string;
    tier: Tier;
    status: ProfileStatus;
    connectedAt: Timestamp;
  }

  /**
   * What one account may post now: TikTok's creator info (privacy levels, longest video, the
   * comment/duet/stitch switches) and the same facts for other platforms, with the daily quota.
   * The TikTok-only fields are absent on other platforms.
   */
  interface ProfileCapabilities {
    profileId: string;
    platform: Platform;
    tier: Tier;
    /** False when the profile is disconnected, the platform refuses posts from it for now, or today's quota is used. */
    canPost: boolean;
    postsRemainingToday: number;
    /** When the daily quota resets (00:00 UTC). */
    quotaResetAt: Timestamp;
    maxVideoDurationSec: number;
    minVideoDurationSec: number;
    /** The `privacyLevel` values the creator offers. */
    privacyLevelOptions?: Array<'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY'>;
    /** The creator turned comments off: a post cannot turn them on. */
    commentDisabled?: boolean;
    duetDisabled?: boolean;
    stitchDisabled?: boolean;
  }

  /** The error recorded on a failed post, target or media. */
  interface ResultError {
    code: ErrorCode;
    message: string;
    details?: unknown;
  }

  /** A stored media file and what verification found in it. */
  interface Media {
    /** e.g. `"org_abc123/f47ac10b.mp4"`: what `posts.create` takes in `mediaKeys`. */
    mediaKey: string;
    fileName: string;
    mimeType: string;
    /** Bytes. */
    size: number;
    /** Base64 of the file's big-endian CRC32C (for a chunked upload, combined from its parts'); absent only while a URL ingest is still fetching. */
    crc32c?: string;
    /** Hex SHA-256 of the file, only when one was sent (`upload(..., { sha256: true })`). */
    sha256?: string;
    status: MediaStatus;
    kind: MediaKind;
    durationMs?: number;
    width?: number;
    height?: number;
    videoCodec?: VideoCodec;
    audioCodec?: string;
    container?: Container;
    error?: ResultError;
    /** The URL the server fetched the file from (media by URL). */
    sourceUrl?: string;
  }

  /** A part of a chunked upload the server holds. */
  interface PartReceipt {
    partNumber: number;
    size: number;
    /** Base64 of the big-endian CRC32C. */
    crc32c: string;
  }

  /** A chunked upload session. */
  interface UploadState {
    uploadId: string;
    mediaKey: string;
    status: UploadStatus;
    size: number;
    partSize: number;
    /** Number of parts, numbered from 1. */
    partCount?: number;
    /** When the session expires (`UPLOAD_EXPIRED` after that). */
    expiresAt?: Timestamp;
    parts: PartReceipt[];
  }

  /** What a post says. */
  interface PostContent {
    /** The caption or body. */
    text: string;
    /** The title, for YouTube and Reddit (unless their options set one). */
    title?: string;
  }

  interface TikTokOptions {
    privacyLevel?: 'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY';
    disableDuet?: boolean;
    disableStitch?: boolean;
    disableComment?: boolean;
    isAigc?: boolean;
    brandContent?: boolean;
  }
  interface InstagramOptions {
    contentType?: 'feed' | 'reel' | 'story';
    shareToFeed?: boolean;
  }
  interface LinkedinOptions {
    visibility?: 'PUBLIC' | 'CONNECTIONS';
  }
  interface FacebookOptions {}
  interface YoutubeOptions {
    title?: string;
    privacyStatus?: 'public' | 'unlisted' | 'private';
    categoryId?: string;
    madeForKids?: boolean;
  }
  interface ThreadsOptions {
    replyControl?: 'everyone' | 'accounts_you_follow' | 'mentioned_only';
  }
  interface RedditOptions {
    /** Subreddit name without `r/` (required). */
    subreddit?: string;
    title?: string;
    nsfw?: boolean;
    spoiler?: boolean;
    flairId?: string;
  }
  /** Options per platform; naming a platform with `{}` takes its defaults. */
  interface PlatformOptions {
    tiktok?: TikTokOptions;
    instagram?: InstagramOptions;
    linkedin?: LinkedinOptions;
    facebook?: FacebookOptions;
    youtube?: YoutubeOptions;
    threads?: ThreadsOptions;
    reddit?: RedditOptions;
  }

  /** One entry of `media` in `posts.create`: a URL to fetch, or uploaded media's key. */
  interface MediaInput {
    url?: string;
    mediaKey?: string;
    /** `'image'` or `'video'`; inferred when absent. */
    type?: 'image' | 'video';
  }

  /** One media item of a post, whatever shape the request used. */
  interface PostMedia {
    mediaKey: string;
    /** The URL it was fetched from, for media given by URL. */
    sourceUrl?: string;
    type: MediaKind;
  }

  /**
   * What a warning is about: `HASHTAGS_ABOVE_RECOMMENDED`, `TIMEZONE_IGNORED`,
   * `PLATFORM_OPTIONS_UNUSED`, … (an unknown code is still advice).
   */
  type WarningCode =
    | 'HASHTAGS_ABOVE_RECOMMENDED'
    | 'HASHTAGS_BELOW_RECOMMENDED'
    | 'TIMEZONE_IGNORED'
    | 'PLATFORM_OPTIONS_UNUSED'
    | 'PLATFORM_RULES_UNKNOWN'
    | (string & {});

  /**
   * Advice about a post, never an error. `posts.create` and `posts.update` also report each
   * with `process.emitWarning(message, { type: 'AetherWarning', code })`.
   */
  interface PostWarning {
    code: WarningCode;
    message: string;
    /** Where in the request (`content.text`, `timezone`, `platforms.youtube`). */
    field?: string;
    platform?: Platform;
  }

  /** The outcome of a post on one target profile. */
  interface TargetResult {
    profileId: string;
    platform: Platform;
    status: TargetStatus;
    platformPostId?: string;
    url?: string;
    error?: ResultError;
    publishedAt?: Timestamp;
    /** Publish attempts so far, the one under way included (at most 6: the server retries a transient platform failure up to 5 times). */
    attempts: number;
    /** When the server's next attempt is due, while a transient failure waits for its retry. */
    nextAttemptAt?: Timestamp;
  }

  /** A post and its per-target results. */
  interface Post {
    /** `post_…` */
    id: string;
    status: PostStatus;
    profileIds: string[];
    content: PostContent;
    mediaKeys: string[];
    /** The media in order, with the URL of media given by URL. */
    media: PostMedia[];
    platforms: PlatformOptions;
    scheduledFor?: string;
    timezone?: string;
    /** The UTC instant publishing starts. */
    publishAt?: Timestamp;
    scheduleResolution?: ScheduleResolution;
    createdAt: Timestamp;
    updatedAt: Timestamp;
    results: TargetResult[];
    error?: ResultError;
    /** Advice that did not stop the post (absent when there is none). */
    warnings?: PostWarning[];
  }

  /** Why one bulk row failed: the error `posts.create` would have given it. */
  interface BulkRowError {
    code: ErrorCode;
    message: string;
    field?: string;
    platform?: string;
    details?: Record<string, unknown>;
  }

  /** One data row of a bulk file. */
  interface BulkRowResult {
    /** The data row, from 1 (the header and empty rows are not counted). */
    row: number;
    /** The physical line the row starts on. */
    line: number;
    ok: boolean;
    /** The post created (absent in a dry run and for a failed row). */
    post?: Post;
    warnings?: PostWarning[];
    error?: BulkRowError;
  }

  /** The answer of `posts.bulk`. */
  interface BulkResult {
    dryRun: boolean;
    total: number;
    created: number;
    failed: number;
    results: BulkRowResult[];
  }

  /** One row of `posts.bulk(rows)`; the SDK writes the rows as CSV. */
  interface BulkRow {
    text: string;
    profileIds?: string[];
    scheduledFor?: string;
    timezone?: string;
    mediaUrls?: string[];
    mediaKeys?: string[];
    title?: string;
    platforms?: PlatformOptions;
  }

  interface BulkOptions extends RequestOptions {
    /** Check every row and create nothing. */
    dryRun?: boolean;
  }

  /** A webhook endpoint; `secret` only in the answer to `create`. */
  interface Webhook {
    /** `wh_…` */
    id: string;
    url: string;
    events: WebhookEventType[];
    secret?: string;
    createdAt: Timestamp;
  }

  /**
   * The body of a webhook delivery. `data` holds the subject its `type` names: `post` for
   * `post.*`, `comment` for `comment.created`, `message` for `message.created` / `message.updated`.
   */
  interface WebhookEvent {
    /** `evt_…` */
    id: string;
    type: WebhookEventType;
    createdAt: Timestamp;
    data: { post?: Post; comment?: Comment; message?: Message };
  }

  /** Who wrote a comment or a message, on the platform. */
  interface InboxAuthor {
    id: string;
    username: string;
  }

  /** A comment on a connected profile's post (`comment.created`). */
  interface Comment {
    /** `cmt_…` */
    id: string;
    profileId: string;
    platform: Platform;
    /** The Aether post commented on, when it was published through Aether. */
    postId?: string;
    platformPostId?: string;
    author: InboxAuthor;
    text: string;
    createdAt: Timestamp;
  }

  /** A direct message of a connected profile (`message.created`, `message.updated`). */
  interface Message {
    /** `msg_…` */
    id: string;
    profileId: string;
    platform: Platform;
    conversationId: string;
    direction: MessageDirection;
    author: InboxAuthor;
    text: string;
    createdAt: Timestamp;
    /** Absent while unread. */
    readAt?: Timestamp;
  }

  /** One event for one webhook, with its attempts; `failed` ones are the dead letters (30 days). */
  interface WebhookDelivery {
    /** `dlv_…` */
    id: string;
    /** The event delivered; a redelivery sends the same one. */
    eventId: string;
    eventType: WebhookEventType;
    status: WebhookDeliveryStatus;
    attempts: number;
    lastAttemptAt?: Timestamp;
    lastStatusCode?: number;
    lastError?: string;
    nextAttemptAt?: Timestamp;
  }

  /** `webhooks.deliveries(id, params)`. */
  interface ListDeliveriesParams {
    status?: WebhookDeliveryStatus;
  }

  /** The rate-limit headers of a response. */
  interface RateLimit {
    limit: number;
    remaining: number;
    /** Unix seconds when the window resets. */
    reset: number;
  }

  // ---------------------------------------------------------------------------------------
  // Parameters and options
  // ---------------------------------------------------------------------------------------

  interface ClientOptions {
    /** Defaults to the `AETHER_API_KEY` environment variable. */
    apiKey?: string;
    /** Defaults to `AETHER_BASE_URL`, else `https://api.aetherhq.dev`. */
    baseUrl?: string;
    /** Bound on each whole call, retries included (default 60 000). */
    timeoutMs?: number;
    /** Bound on each connection attempt (default 10 000). */
    connectTimeoutMs?: number;
    /** Bound on each attempt of a call: connect, send, the whole answer (default 30 000; more than 0). One that passes it is retried within `timeoutMs`. */
    attemptTimeoutMs?: number;
    /** Retries after the first attempt (default 2; 0 disables). */
    maxRetries?: number;
    /** First step and ceiling of the exponential backoff between retries (default 500, 8 000). */
    retryBackoff?: { initialMs?: number; maxMs?: number };
    /** A PEM file of CA certificates trusted besides the system's (else `AETHER_CA_BUNDLE`), e.g. a TLS-inspecting proxy's CA. */
    caBundle?: string;
    /** A PEM client certificate for mutual TLS, with `clientKey` (else `AETHER_CLIENT_CERT`). */
    clientCert?: string;
    /** The PEM private key of `clientCert` (else `AETHER_CLIENT_KEY`). */
    clientKey?: string;
    /** A W3C `traceparent` sent with every call that gives none (nor has an active OpenTelemetry span). */
    traceparent?: string;
    /** How much the client logs (else `AETHER_LOG`, else nothing): `error` failed calls, `warn` failed hooks, `info` retries, `debug` one line per attempt, `trace` bodies with secrets redacted. */
    logLevel?: LogLevel;
    /** Where log lines go (default: standard error); `trace` lines go to `debug()`. */
    logger?: Logger;
    /** Called before each attempt, on the event loop after the fact (in order). A throw is logged at `warn` and never breaks the call. */
    onRequest?: (event: AttemptEvent) => void;
    /** Called after each attempt: its `status`, or its `errorCode` when no answer came. */
    onResponse?: (event: AttemptEvent) => void;
    /** Called when a failed attempt is retried, with `nextDelayMs`. */
    onRetry?: (event: AttemptEvent) => void;
    /**
     * The forward proxy every request goes through, `http://user:password@host:port` (or
     * `https://…`); hosts in `NO_PROXY` still go direct. `""`: no proxy, whatever the
     * environment says. Unset: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`. A proxy
     * that cannot be reached or refuses the credentials is an `APIConnectionError` with code
     * `PROXY_ERROR`; the password is never shown.
     */
    proxy?: string;
  }

  type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'off';

  /** Anything with these methods, e.g. `console` or a pino/winston logger. */
  interface Logger {
    debug(line: string): unknown;
    info(line: string): unknown;
    warn(line: string): unknown;
    error(line: string): unknown;
  }

  /** One attempt of a call, as the hooks see it. */
  interface AttemptEvent {
    method: string;
    /** The path under the base URL, without the query. */
    path: string;
    /** 1 for the first attempt; in `onRetry`, the attempt that failed. */
    attempt: number;
    /** The HTTP status of the answer; null before it and after a network failure. */
    status: number | null;
    /** The error code of a failed attempt (`SERVICE_UNAVAILABLE`, …), else null. */
    errorCode: string | null;
    requestId: string | null;
    /** The call's `X-Client-Request-Id` (the same on every attempt). */
    clientRequestId: string;
    /** The `Idempotency-Key` sent (every POST has one). */
    idempotencyKey: string | null;
    /** Milliseconds since the call began. */
    elapsedMs: number;
    /** In `onRetry`: the wait before the next attempt, in milliseconds; else null. */
    nextDelayMs: number | null;
  }

  /** Per-call options, overriding the client's. */
  interface RequestOptions {
    /** The `Idempotency-Key` of a create (one is generated otherwise). */
    idempotencyKey?: string;
    maxRetries?: number;
    timeoutMs?: number;
    /** Bound on each attempt of this call (more than 0); one that passes it is retried within `timeoutMs`. */
    attemptTimeoutMs?: number;
    /** Bound on each connect of this call (more than 0; default: the client's `connectTimeoutMs`). A value other than the client's uses a connection pool of its own. */
    connectTimeoutMs?: number;
    /**
     * The W3C trace context sent with every attempt (`00-<32 hex>-<16 hex>-<2 hex>`); default:
     * the active OpenTelemetry span's when `@opentelemetry/api` is installed, else the client's.
     */
    traceparent?: string;
    /** Aborting rejects the call with `AbortError` (`code: "CANCELLED"`). */
    signal?: AbortSignal;
    /**
     * Headers added to every request of this call. The ones the client owns (`Authorization`,
     * `Idempotency-Key`: use `idempotencyKey`, `X-Client-Request-Id`, `Content-Type`,
     * `Content-Length`, `Host`, `Transfer-Encoding`, `Connection`) are `INVALID_ARGUMENT`.
     */
    extraHeaders?: Record<string, string | number | boolean>;
    /** Query parameters added to this call's URL (an array repeats the name). */
    extraQuery?: Record<string, string | number | boolean | Array<string | number | boolean> | null>;
  }

  /** The HTTP response of a call, from `.withResponse()`. */
  interface APIResponse {
    /** The HTTP status (2xx; errors reject as usual). */
    status: number;
    /** Every response header; `get()` ignores case (`headers.get('x-ratelimit-remaining')`). */
    headers: Headers;
    /** The server's `X-Request-Id`. */
    requestId: string | null;
    /** The server replayed the first answer to this idempotency key. */
    replayed: boolean;
    /** The `Idempotency-Key` sent, if any. */
    idempotencyKey: string | null;
    /** The SDK's id of the call (`X-Client-Request-Id`). */
    clientRequestId: string | null;
  }

  /**
   * What every plain method returns: a Promise of the value, whose `withResponse()` gives the
   * value with the HTTP response it came from (the same single request).
   */
  interface APIPromise<T> extends Promise<T> {
    withResponse(): Promise<{ data: T; response: APIResponse }>;
  }

  /** `client.request`'s parameters: a JSON `body`, `query`, and the per-call options. */
  interface RawRequestParams extends RequestOptions {
    body?: unknown;
    query?: Record<string, string | number | boolean | Array<string | number | boolean> | null>;
  }

  interface CreateConnectLinkParams {
    platform: Platform;
    /** Where your user comes back after authorizing. */
    redirectUrl: string;
    /** Opaque value echoed back on the redirect (check it with `verifyCallback`). */
    state?: string;
  }

  /**
   * The body of `posts.create`, in every shape Aether's pages show: the text as `content` or as
   * top-level `text` (and `title`); media as `mediaKeys`, `mediaUrls` or `media`; options as
   * `platforms` or `overrides`. Two forms of one thing are `INVALID_REQUEST` naming the field;
   * a key not listed here is `INVALID_ARGUMENT` naming it and the nearest known name.
   */
  interface CreatePostParams {
    /** The profile to publish to (or `profileIds` for several). */
    profileId?: string;
    profileIds?: string[];
    /** What the post says (or top-level `text` and `title`). */
    content?: PostContent;
    /** The caption or body (or `content.text`). */
    text?: string;
    /** The title, with `text` (or `content.title`). */
    title?: string;
    /** Media keys from `media.upload`, in order. */
    mediaKeys?: string[];
    /** Media by URL: the server fetches each at once (or `mediaKeys`, or `media`). */
    mediaUrls?: string[];
    /** Media as `{ url, type? }` or `{ mediaKey }` entries (or `mediaKeys`, or `mediaUrls`). */
    media?: MediaInput[];
    platforms?: PlatformOptions;
    /** Another name for `platforms` (give one of them). */
    overrides?: PlatformOptions;
    /** An instant with an offset, or a local date-time together with `timezone`. */
    scheduledFor?: string;
    /** IANA zone name for a local `scheduledFor`, e.g. `"America/New_York"`. */
    timezone?: string;
    /** Store without publishing. */
    draft?: boolean;
  }

  interface UpdatePostParams {
    scheduledFor?: string;
    timezone?: string;
    content?: PostContent;
    /** `false` releases a draft; `true` turns a scheduled post back into a draft. */
    draft?: boolean;
  }

  interface ListPostsParams {
    status?: PostStatus;
    profileId?: string;
    /** Page size, 1–100. */
    limit?: number;
    /** Where to start (a `nextCursor`). */
    cursor?: string;
  }

  interface WaitOptions {
    /** Told about every distinct status, the current one first, and every retried publish attempt (`results[i].attempts`, `nextAttemptAt`). Throwing cancels the wait. */
    onStatus?: (post: Post) => void;
    /** Bound on the whole wait (default 15 min); `null` or `Infinity` waits until a terminal status. */
    timeoutMs?: number | null;
    /** First time between polls (default 3 000); the server's Retry-After wins. */
    pollIntervalMs?: number;
    /** Longest time between polls (default 30 000). */
    maxPollIntervalMs?: number;
    /** Retries of each poll. */
    maxRetries?: number;
    signal?: AbortSignal;
  }

  interface WatchOptions {
    timeoutMs?: number | null;
    pollIntervalMs?: number;
    maxPollIntervalMs?: number;
    signal?: AbortSignal;
  }

  interface MediaWaitOptions {
    /** Bound on the whole wait (default 10 min); `null` or `Infinity`: none. */
    timeoutMs?: number | null;
    pollIntervalMs?: number;
    maxPollIntervalMs?: number;
    signal?: AbortSignal;
  }

  /** Where an upload stands. */
  interface UploadProgress {
    /** Bytes the server has acknowledged. */
    bytesSent: number;
    total: number;
    partsDone: number;
    partsTotal: number;
  }

  /** What `media.upload` can read. */
  type UploadFile =
    | string
    | URL
    | Buffer
    | Uint8Array
    | ArrayBuffer
    | Blob
    | Readable
    | ReadableStream<Uint8Array>
    | AsyncIterable<Uint8Array | string>
    | Iterable<Uint8Array | string>;

  interface UploadParams {
    /**
     * A path, a `file:` URL, a Buffer or Uint8Array (not copied: leave it unchanged until the
     * upload settles), a Blob or File, an `fs.ReadStream` of a whole file (read natively from its
     * path), or any Readable, web ReadableStream or async iterable of chunks (read with
     * backpressure; spooled to a temporary file beyond 8 MiB unless `size` is given).
     */
    file: UploadFile;
    /** e.g. `"video/mp4"`; defaults from the file name, then the bytes. */
    mimeType?: string;
    /** The media's file name (default: the path's; `upload.<ext>` otherwise). */
    fileName?: string;
    /** Check the file against these platforms' media rules before sending a byte. */
    platforms?: Platform[];
    /** The tier the preflight is checked for (default `"standard"`). */
    tier?: Tier;
    /**
     * The profiles the media is for: each account's capabilities (read once and cached by the
     * client for 60 s) and its platform's rules for its tier are checked before a byte is sent
     * (`VIDEO_TOO_LONG` with `details.accountMaxSec`). An unknown profile is `NOT_FOUND`;
     * capabilities that cannot be read (network, 5xx) skip that check, as the server checks them.
     */
    profileIds?: string[];
    /** The exact size of a stream, when known: no spooling. */
    size?: number;
    /** Part size to ask for, 5–64 MiB. */
    partSize?: number;
    /** Parts in flight at once (default 4). */
    parallelism?: number;
    /** Files up to this size go in one request (default 8 MiB; 0: always chunked). */
    singleShotThreshold?: number;
    /** Where to keep resume state so another process can continue the upload. */
    resumeStateFile?: string;
    /** A part that sends nothing and hears nothing this long (ms, default 30 000) is abandoned and sent again. */
    stallTimeoutMs?: number;
    /**
     * Also compute the whole file's SHA-256 (by the one reader of the file, no second read) and
     * have the server check it; the media then has `sha256`. Default false: every part carries
     * its CRC32C and the upload is completed with the whole file's, combined from the parts'.
     */
    sha256?: boolean;
    /** Told about progress at most every 50 ms and at the end. Throwing cancels the upload (a chunked upload is completed only after this returned from the final event). */
    onProgress?: (progress: UploadProgress) => void;
    /** Aborting cancels the upload and aborts its session on the server. */
    signal?: AbortSignal;
  }

  /**
   * Media by URL: the server fetches `url` at once and stores it like an upload, so a signed URL
   * that expires later cannot break a scheduled post. A fetch that fails makes `waitReady()` throw
   * `MEDIA_FETCH_FAILED` (an UploadError) with `details.url`, `details.reason` (`not_found`,
   * `http_error`, `timeout`, `too_large`, `not_media`, `redirect_loop`, `refused_host`) and
   * `details.httpStatus`.
   */
  interface UploadUrlParams {
    /** An http(s) URL serving the video or image. */
    url: string;
    /** e.g. `"video/mp4"`, when the URL's server does not say it. */
    mimeType?: string;
    /** The media's file name (default: the URL path's last segment). */
    fileName?: string;
    /**
     * Preflight the URL against these platforms' media rules first, reading only the few KiB the
     * probe needs with HTTP range requests (e.g. `VIDEO_TOO_SHORT` before the ingest call).
     */
    platforms?: Platform[];
    /** The tier the preflight is checked for (default `"standard"`). */
    tier?: Tier;
    /** The profiles the media is for: their capabilities preflight it (see `UploadParams.profileIds`). */
    profileIds?: string[];
    /** Aborting cancels the call. */
    signal?: AbortSignal;
  }

  interface CreateWebhookParams {
    url: string;
    events: WebhookEventType[];
  }

  interface VerifySignatureParams {
    /** The raw request body, exactly as received. */
    payload: string | Buffer | Uint8Array;
    /** The `x-aether-signature` header. */
    header: string;
    /** The endpoint's secret… */
    secret?: string;
    /** …or every secret currently valid (during a rotation). */
    secrets?: string[];
    /** How far `t` may be from now (default 300). */
    toleranceSeconds?: number;
    /** Verify as of this time (default: now). */
    now?: Date | number;
  }

  // ---------------------------------------------------------------------------------------
  // Resources
  // ---------------------------------------------------------------------------------------

  interface ConnectLinks {
    /** Creates a hosted authorization page; send your user to `link.url`. */
    create(params: CreateConnectLinkParams, options?: RequestOptions): APIPromise<ConnectLink>;
    get(id: string, options?: RequestOptions): APIPromise<ConnectLink>;
    /** Checks the redirect your user comes back with; throws `FORBIDDEN` when they declined. */
    verifyCallback(url: string, expectedState: string): ConnectCallback;
  }

  interface Profiles {
    /** Every connected profile, newest first, fetched page by page as you iterate. */
    list(options?: RequestOptions): AsyncIterableIterator<Profile>;
    get(id: string, options?: RequestOptions): APIPromise<Profile>;
    disconnect(id: string, options?: RequestOptions): APIPromise<Profile>;
    /** What the account may post now; also refreshes the client's preflight cache. */
    capabilities(id: string, options?: RequestOptions): APIPromise<ProfileCapabilities>;
  }

  interface Posts {
    /** Creates (and publishes or schedules) a post; retried safely under an idempotency key. */
    create(params: CreatePostParams, options?: RequestOptions): APIPromise<Post>;
    get(id: string, options?: RequestOptions): APIPromise<Post>;
    /** Every matching post, newest first, fetched page by page as you iterate. */
    list(params?: ListPostsParams, options?: RequestOptions): AsyncIterableIterator<Post>;
    /**
     * Changes the schedule or content of a draft or scheduled post; otherwise
     * `POST_NOT_EDITABLE`. An update whose answer was lost is retried; when the retry finds the
     * post no longer editable (releasing a draft starts publishing it), the post is read back
     * and returned if it shows every change asked for.
     */
    update(id: string, params: UpdatePostParams, options?: RequestOptions): APIPromise<Post>;
    /**
     * Cancels a draft or scheduled post and returns it, now `cancelled`; otherwise
     * `POST_NOT_EDITABLE`. A cancel whose answer was lost is retried, and when the retry finds
     * the post already cancelled (by the lost attempt) the post is read back and returned.
     */
    cancel(id: string, options?: RequestOptions): APIPromise<Post>;
    /**
     * `POST /v1/posts/{id}/retry`: publishes the failed targets of a `failed` or
     * `partially_published` post again, and only those (a target that published is never sent
     * again); resolves to the post, `publishing` again. Any other status (a retry still
     * publishing included) rejects with a `ConflictError` `POST_NOT_RETRYABLE` whose
     * `details.status` is the post's status.
     */
    retry(id: string, options?: RequestOptions): APIPromise<Post>;
    /**
     * Creates a post from every row of a CSV file (a path) or of `rows`, each independently;
     * one result per data row. `dryRun` checks every row and creates nothing.
     */
    bulk(pathOrRows: string | URL | BulkRow[], options?: BulkOptions): APIPromise<BulkResult>;
    /** Polls until a terminal status and returns the post (a failed post is a result). */
    wait(id: string, options?: WaitOptions): Promise<Post>;
    /** The post each time its status changes or the server retries a target's transient failure (`attempts`, `nextAttemptAt`), ending after a terminal one. */
    watch(id: string, options?: WatchOptions): AsyncIterableIterator<Post>;
  }

  interface MediaResource {
    /**
     * Uploads a file (chunked, parallel, checksummed, resumable) and returns the media; with
     * `{ url }`, the server fetches the URL instead (media by URL).
     */
    upload(params: UploadParams | UploadUrlParams, options?: RequestOptions): Promise<Media>;
    /** Continues the chunked upload `uploadId` with the same file. */
    resume(uploadId: string, params: UploadParams, options?: RequestOptions): Promise<Media>;
    get(mediaKey: string, options?: RequestOptions): APIPromise<Media>;
    /** Deletes the media; a delete whose answer was lost, and whose retry finds it gone, succeeds. */
    delete(mediaKey: string, options?: RequestOptions): APIPromise<void>;
    /** Polls until verified; a media that failed verification throws its own code. */
    waitReady(mediaKey: string, options?: MediaWaitOptions): Promise<Media>;
    uploadState(uploadId: string): Promise<UploadState>;
    abortUpload(uploadId: string): Promise<void>;
  }

  interface Webhooks {
    /** Registers an endpoint; store the returned `secret`. */
    create(params: CreateWebhookParams, options?: RequestOptions): APIPromise<Webhook>;
    list(options?: RequestOptions): AsyncIterableIterator<Webhook>;
    /** Deletes the endpoint; a delete whose answer was lost, and whose retry finds it gone, succeeds. */
    delete(id: string, options?: RequestOptions): APIPromise<void>;
    /** A webhook's deliveries, newest first; `status: 'failed'` lists the dead letters. */
    deliveries(
      id: string,
      params?: ListDeliveriesParams,
      options?: RequestOptions,
    ): AsyncIterableIterator<WebhookDelivery>;
    /** Sends a delivery again now: the same event id and body, a fresh signature. */
    redeliver(id: string, deliveryId: string, options?: RequestOptions): APIPromise<WebhookDelivery>;
    /** Returns true or throws `INVALID_ARGUMENT` (`details.reason`). Synchronous: no I/O. */
    verifySignature(params: VerifySignatureParams): true;
    /** Verifies, then parses the event. */
    constructEvent(params: Omit<VerifySignatureParams, 'now'>): WebhookEvent;
  }

  // ---------------------------------------------------------------------------------------
  // Errors
  // ---------------------------------------------------------------------------------------

  interface AetherErrorFields {
    code?: ErrorCode | (string & {});
    status?: number | null;
    requestId?: string | null;
    clientRequestId?: string | null;
    idempotencyKey?: string | null;
    retryAfter?: number | null;
    field?: string | null;
    platform?: Platform | null;
    details?: unknown;
    retryable?: boolean;
    cause?: unknown;
  }

  /** What an AetherError says, as `toJSON()` returns it. */
  interface AetherErrorJSON {
    name: string;
    code: ErrorCode | (string & {});
    message: string;
    status: number | null;
    requestId: string | null;
    clientRequestId: string | null;
    idempotencyKey: string | null;
    retryAfter: number | null;
    field: string | null;
    platform: Platform | null;
    details: unknown;
    retryable: boolean;
  }

  /** Every error the SDK throws or rejects with. */
  class AetherError extends Error {
    constructor(message: string, fields?: AetherErrorFields);
    /** The stable, machine-readable code, e.g. `"POST_LIMIT_REACHED"` (a newer server may send codes this version does not know). */
    code: ErrorCode | (string & {});
    /** The HTTP status; null for client-side errors. */
    status: number | null;
    /** The server's request id (`req_…`) of the last response, when one arrived; quote it to support. */
    requestId: string | null;
    /** The id the SDK gave the call (`creq_…`), sent as `X-Client-Request-Id` on each of its attempts; present even when no response arrived. */
    clientRequestId: string | null;
    /** The `Idempotency-Key` the call sent (yours, or the one made for a create); after `OutcomeUnknownError`, call again with it. */
    idempotencyKey: string | null;
    /** Seconds the server asked to wait before retrying. */
    retryAfter: number | null;
    /** Where in the request the problem is, e.g. `"content.text"`. */
    field: string | null;
    /** The platform whose rule was broken. */
    platform: Platform | null;
    /** Whether the same request, sent again later, can succeed: the transient codes (`RATE_LIMITED`, `SERVICE_UNAVAILABLE`, network failures, …), unless the server's `X-Should-Retry` said otherwise. */
    retryable: boolean;
    /** Code-specific data, e.g. `{ resetAt }`, `{ missingParts }`, `{ reason }`. */
    details: unknown;
    toJSON(): AetherErrorJSON;
  }
  /** `UNAUTHORIZED` */
  class AuthenticationError extends AetherError {}
  /** `FORBIDDEN` */
  class PermissionDeniedError extends AetherError {}
  /** `NOT_FOUND` */
  class NotFoundError extends AetherError {}
  /** `INVALID_REQUEST` (and, through InvalidArgumentError, `INVALID_ARGUMENT`) */
  class BadRequestError extends AetherError {}
  /** `INVALID_ARGUMENT`: refused before anything was sent */
  class InvalidArgumentError extends BadRequestError {}
  /** The platforms' content, media and schedule rules (`CAPTION_TOO_LONG`, `VIDEO_TOO_SHORT`, …) */
  class ValidationError extends AetherError {}
  /** `RATE_LIMITED` */
  class RateLimitError extends AetherError {}
  /** `POST_LIMIT_REACHED`: the daily quota; `retryAfter` is the time to the reset */
  class PostLimitReachedError extends AetherError {}
  /** `IDEMPOTENCY_KEY_REUSED`, `IDEMPOTENCY_KEY_IN_USE`, `POST_NOT_EDITABLE`, `POST_NOT_RETRYABLE`, `PROFILE_DISCONNECTED` */
  class ConflictError extends AetherError {}
  /** `CHECKSUM_MISMATCH`, `UPLOAD_INCOMPLETE`, `UPLOAD_EXPIRED` */
  class UploadError extends AetherError {}
  /** `PLATFORM_ERROR` */
  class PlatformError extends AetherError {}
  /** `INTERNAL_ERROR`, `SERVICE_UNAVAILABLE` */
  class InternalServerError extends AetherError {}
  /** `NETWORK_ERROR`; `TLS_ERROR` (a certificate not trusted, a client certificate missing: the message says what to set); `PROXY_ERROR` (the proxy unreachable or refusing the credentials) */
  class APIConnectionError extends AetherError {}
  /** `TIMEOUT` */
  class APITimeoutError extends APIConnectionError {}
  /** `CANCELLED`: an AbortSignal fired (its reason is the `cause`) or a callback threw */
  class AbortError extends AetherError {}
  /** `IO_ERROR`: a local file or stream could not be read */
  class LocalIOError extends AetherError {}
  /** `PROTOCOL_ERROR`: a response the SDK cannot understand */
  class APIResponseError extends AetherError {}
  /**
   * `OUTCOME_UNKNOWN`: a create, update or delete ran out of retries on a network error or a
   * timeout after the request may have reached the server. Not a failure: call again with
   * `{ idempotencyKey: err.idempotencyKey }` and the server returns the first result if it was
   * done, or does it once if not. `details.cause` is `"NETWORK_ERROR"` or `"TIMEOUT"`.
   */
  class OutcomeUnknownError extends AetherError {}
}

export = Aether;
