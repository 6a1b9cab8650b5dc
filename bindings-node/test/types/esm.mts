// An ES module user: default import, named imports, types, aether/testing.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import Aether, {
  AetherError,
  PostLimitReachedError,
  ValidationError,
  AbortError,
  type ErrorCode,
  type Media,
  type Platform,
  type Post,
  type PostStatus,
  type UploadProgress,
} from 'aether';
import { MockServer, signWebhookPayload, type ChaosConfig, type ChaosReport } from 'aether/testing';

export async function publish(): Promise<PostStatus> {
  const mock = await MockServer.start({ settings: { processingMs: 100 } });
  const aether: Aether = new Aether({ apiKey: mock.apiKey, baseUrl: mock.url, timeoutMs: 30_000, maxRetries: 2 });
  const link = await aether.connectLinks.create({ platform: 'tiktok', redirectUrl: 'https://x.test/cb', state: 's' });
  const { profile } = await mock.approveConnectLink(link);
  const controller = new AbortController();
  const sources: Aether.UploadFile[] = [
    'video.mp4',
    new URL('file:///tmp/video.mp4'),
    Buffer.alloc(1),
    new Uint8Array(1),
    fs.createReadStream('video.mp4'),
    Readable.from([Buffer.alloc(1)]),
    (async function* () {
      yield new Uint8Array(1);
    })(),
  ];
  const media: Media = await aether.media.upload({
    file: sources[0],
    mimeType: 'video/mp4',
    platforms: ['tiktok'],
    onProgress: (p: UploadProgress) => void p.bytesSent,
    signal: controller.signal,
  });
  const hashed: Media = await aether.media.upload({ file: 'clip.mp4', sha256: true });
  const checksums: [string | undefined, string | undefined] = [hashed.crc32c, hashed.sha256];
  void checksums;
  const byUrl: Media = await aether.media.upload({ url: 'https://cdn.example.com/a.mp4', platforms: ['tiktok'] });
  const source: string | undefined = byUrl.sourceUrl;
  void source;
  const post: Post = await aether.posts.create(
    { profileId: profile.id, content: { text: 'hi' }, mediaKeys: [media.mediaKey], platforms: { tiktok: {} } },
    { idempotencyKey: 'k-1' },
  );
  const done = await aether.posts.wait(post.id, { onStatus: (p) => p.status, timeoutMs: null, signal: controller.signal });
  for await (const p of aether.posts.watch(post.id)) void p.results;
  for await (const p of aether.profiles.list()) void p.username;
  for await (const p of aether.posts.list({ status: 'published', limit: 10 })) void p.id;
  aether.webhooks.verifySignature({ payload: '{}', header: signWebhookPayload('{}', 's'), secret: 's' });
  const event = aether.webhooks.constructEvent({ payload: '{}', header: 't=1,v1=00', secret: 's' });
  if (event.type === 'comment.created' && event.data.comment) void event.data.comment.author.username;
  if (event.type === 'message.updated' && event.data.message) void (event.data.message.readAt ?? event.data.message.direction);
  const hook = await aether.webhooks.create({ url: 'http://127.0.0.1:1/h', events: ['comment.created', 'message.updated'] });
  for await (const d of aether.webhooks.deliveries(hook.id, { status: 'failed' })) {
    const again: Aether.WebhookDelivery = await aether.webhooks.redeliver(hook.id, d.id);
    void [again.eventId, again.attempts, again.lastStatusCode];
  }
  const comment: Aether.Comment = await mock.simulateComment(profile.id, { text: 'hi', author: { username: 'u' } });
  const message: Aether.Message = await mock.simulateMessage(profile.id, { text: 'hi', direction: 'inbound' });
  await mock.updateMessage(message.id, { readAt: comment.createdAt });
  try {
    await aether.posts.get(post.id);
  } catch (err) {
    if (err instanceof AetherError) {
      const code: ErrorCode | (string & {}) = err.code;
      const status: number | null = err.status;
      const requestId: string | null = err.requestId;
      const retryAfter: number | null = err.retryAfter;
      const platform: Platform | null = err.platform;
      void [code, status, requestId, retryAfter, platform, err.field, err.details];
    }
    if (err instanceof PostLimitReachedError || err instanceof ValidationError || err instanceof AbortError) throw err;
  }
  const chaos: ChaosConfig = await mock.startChaos({ seed: 1, rate: 0.1, kinds: ['delay', 'reset_after_body'], delayMs: 5 });
  const report: ChaosReport = await mock.chaosReport();
  void [chaos.seed, report.ok, report.faulted, report.faults[0]?.clientRequestId, report.duplicates, report.orphans];
  await mock.stopChaos();
  // @ts-expect-error not a chaos kind
  await mock.startChaos({ seed: 1, rate: 0.1, kinds: ['lightning'] });
  await mock.stop();

  // @ts-expect-error not a platform
  await aether.connectLinks.create({ platform: 'myspace', redirectUrl: 'x' });
  // @ts-expect-error a misspelt key (refused at run time too, naming `platforms`)
  await aether.posts.create({ profileId: 'p', text: 'x', platfroms: {} });
  // Every documented shape type-checks: the product page's, with its option names.
  await aether.posts.create({
    text: 'x',
    profileIds: ['ig_1', 'li_1'],
    media: [{ url: 'https://cdn.example/a.jpg', type: 'image' }],
    scheduledFor: '2027-03-10T14:00:00Z',
    timezone: 'America/New_York',
    overrides: { instagram: { contentType: 'reel' }, linkedin: { visibility: 'PUBLIC' }, threads: { replyControl: 'everyone' } },
  });
  // @ts-expect-error a media type is image or video
  await aether.posts.create({ text: 'x', media: [{ url: 'u', type: 'gif' }] });
  // @ts-expect-error not a status
  if (done.status === 'done') return 'failed';
  // @ts-expect-error not a delivery status
  aether.webhooks.deliveries('wh_1', { status: 'lost' });
  // @ts-expect-error the file is required
  await aether.media.upload({ mimeType: 'video/mp4' });
  // @ts-expect-error not a tiktok option
  await aether.posts.create({ content: { text: 'x' }, platforms: { tiktok: { privacyLevel: 'EVERYONE' } } });
  return done.status;
}
