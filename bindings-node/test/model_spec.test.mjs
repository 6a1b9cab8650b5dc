// The interfaces of index.d.ts against spec/openapi.yaml (components/schemas): each interface
// that mirrors a schema has exactly its properties (camelCase, as on the wire), and a property is
// optional (`?`) exactly when the schema does not require it (one the spec gives a `default` is
// never absent in effect, so it may be declared without `?`). Read with the TypeScript compiler
// API, so a renamed or missing field fails here with the interface and the property named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { packageDir, repoDir } from './helpers.mjs';

/** Interface (or `Interface.property` for an inline type) -> the schema it mirrors. */
const SCHEMA_OF = {
  ConnectLink: 'ConnectLink',
  Profile: 'Profile',
  ProfileCapabilities: 'ProfileCapabilities',
  ResultError: 'ErrorSummary',
  Media: 'Media',
  PartReceipt: 'UploadPart',
  UploadState: 'UploadState',
  PostContent: 'PostContent',
  MediaInput: 'MediaInput',
  PostMedia: 'PostMedia',
  PostWarning: 'PostWarning',
  TikTokOptions: 'TiktokOptions',
  InstagramOptions: 'InstagramOptions',
  LinkedinOptions: 'LinkedinOptions',
  FacebookOptions: 'FacebookOptions',
  YoutubeOptions: 'YoutubeOptions',
  ThreadsOptions: 'ThreadsOptions',
  RedditOptions: 'RedditOptions',
  PlatformOptions: 'PlatformOptions',
  TargetResult: 'TargetResult',
  Post: 'Post',
  BulkResult: 'BulkResult',
  BulkRowResult: 'BulkRowResult',
  BulkRowError: 'BulkRowError',
  Webhook: 'Webhook',
  WebhookEvent: 'WebhookEvent',
  'WebhookEvent.data': 'WebhookEvent/data',
  InboxAuthor: 'InboxAuthor',
  Comment: 'Comment',
  Message: 'Message',
  WebhookDelivery: 'WebhookDelivery',
  CreateConnectLinkParams: 'CreateConnectLinkRequest',
  CreatePostParams: 'CreatePostRequest',
  UpdatePostParams: 'UpdatePostRequest',
  CreateWebhookParams: 'CreateWebhookRequest',
};

/** Properties that are in the interface and not in its schema, with the reason. */
const EXTRA = {
  'Webhook.secret': 'the property WebhookWithSecret adds: one interface for both, optional',
};

/** Required properties declared optional, with the reason. */
const LENIENT = {
  'RedditOptions.subreddit':
    'optional in the type so that the core refuses a missing subreddit with its typed SUBREDDIT_REQUIRED',
};

/** Interfaces that mirror no schema, with the reason. */
const NOT_A_SCHEMA = {
  ConnectCallback: 'the query of the connect-link redirect, not a JSON body',
  RateLimit: 'response headers',
  ClientOptions: 'settings of the client, not the wire',
  RequestOptions: 'settings of one call, not the wire',
  APIResponse: 'the status and headers of a response (withResponse()), not a body',
  APIPromise: 'the promise a method returns, not the wire',
  RawRequestParams: 'the arguments of client.request (any body, a query string)',
  Logger: 'a user object the client writes log lines to',
  AttemptEvent: 'what a hook gets (core/src/transport/observe.rs), not the wire',
  BulkOptions: 'settings of one call (dryRun travels as a multipart field)',
  BulkRow: 'a CSV row the SDK writes, not a JSON body',
  ListPostsParams: 'a query string (status, profileId, limit, cursor)',
  ListDeliveriesParams: 'a query string (status)',
  WaitOptions: 'settings of the poller',
  WatchOptions: 'settings of the poller',
  MediaWaitOptions: 'settings of the poller',
  EffectiveOptions: 'the settings a client resolved (Aether#effectiveOptions()), not the wire',
  Defaults: "the core's defaults (Aether.defaults()), not the wire",
  UploadProgress: 'progress of an upload, computed by the core',
  UploadUrlParams: 'media.upload({ url }): IngestMediaRequest (sent by the core) plus the preflight settings',
  UploadParams: 'settings of the upload engine (the wire part is CreateUploadRequest, sent by the core)',
  VerifySignatureParams: 'arguments of a local check',
  ConnectLinks: 'a resource (methods)',
  Profiles: 'a resource (methods)',
  Posts: 'a resource (methods)',
  MediaResource: 'a resource (methods)',
  Webhooks: 'a resource (methods)',
  AetherErrorFields: 'the fields of AetherError (checked by errors.test.mjs)',
  AetherErrorJSON: 'AetherError.toJSON(), not a wire body',
};

/** Object schemas with no interface, with the reason. */
const NO_INTERFACE = {
  ErrorBody: 'thrown as AetherError',
  ProfileList: 'pages are iterated: profiles.list yields Profile',
  PostList: 'pages are iterated: posts.list yields Post',
  WebhookList: 'pages are iterated: webhooks.list yields Webhook',
  WebhookDeliveryList: 'pages are iterated: webhooks.deliveries yields WebhookDelivery',
  PlatformRulesTable: 'the rules are the core\'s, not a result',
  PlatformRules: 'the rules are the core\'s, not a result',
  CreateUploadRequest: 'the upload protocol is the core\'s; media.upload takes UploadParams',
  UploadSession: 'the upload protocol is the core\'s; media.upload returns Media',
  CompleteUploadRequest: 'the upload protocol is the core\'s',
  IngestMediaRequest: 'sent by the core for media.upload({ url }) (UploadUrlParams)',
  WebhookWithSecret: 'Webhook, whose secret is optional',
};

const spec = parse(fs.readFileSync(path.join(repoDir, 'spec', 'openapi.yaml'), 'utf8'));
const schemas = spec.components.schemas;

function resolve(node) {
  while (node && node.$ref) {
    node = node.$ref.replace(/^#\//, '').split('/').reduce((n, key) => n[key], spec);
  }
  return node;
}

function schema(name) {
  const [head, ...rest] = name.split('/');
  let node = resolve(schemas[head]);
  for (const key of rest) node = resolve(node.properties[key]);
  assert.ok(node, `spec/openapi.yaml has no schema ${name}`);
  return node;
}

/** Every interface of index.d.ts (and each inline object type of a property), by name. */
function interfaces() {
  const file = path.join(packageDir, 'index.d.ts');
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = {};
  const members = (list) => {
    const props = {};
    for (const member of list) {
      if (ts.isPropertySignature(member)) {
        props[member.name.getText(source)] = { optional: Boolean(member.questionToken), node: member };
      }
    }
    return props;
  };
  const visit = (node) => {
    if (ts.isInterfaceDeclaration(node)) {
      const name = node.name.text;
      const props = members(node.members);
      found[name] = props;
      for (const [prop, { node: member }] of Object.entries(props)) {
        if (member.type && ts.isTypeLiteralNode(member.type)) {
          found[`${name}.${prop}`] = members(member.type.members);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('every interface mirroring a schema has its properties, optional exactly when not required', () => {
  const declared = interfaces();
  const faults = [];
  for (const [name, schemaName] of Object.entries(SCHEMA_OF)) {
    const props = declared[name];
    if (!props) {
      faults.push(`${name}: no such interface in index.d.ts`);
      continue;
    }
    const node = schema(schemaName);
    const wire = node.properties ?? {};
    const required = new Set(node.required ?? []);
    for (const [prop, property] of Object.entries(wire)) {
      if (!(prop in props)) {
        faults.push(`${schemaName}: property ${prop} is missing from interface ${name}`);
        continue;
      }
      const { optional } = props[prop];
      if (required.has(prop) && optional && !(`${name}.${prop}` in LENIENT)) {
        faults.push(`${schemaName}: ${name}.${prop} is optional (?), but ${prop} is required`);
      }
      if (!required.has(prop) && !optional && !('default' in property)) {
        faults.push(`${schemaName}: ${name}.${prop} is not optional, but ${prop} is not required`);
      }
    }
    for (const prop of Object.keys(props)) {
      if (!(prop in wire) && !(`${name}.${prop}` in EXTRA)) {
        faults.push(`${schemaName}: ${name}.${prop} is no property of the schema`);
      } else if (!(prop in wire) && !props[prop].optional) {
        faults.push(`${schemaName}: ${name}.${prop} is not in the schema, so it cannot be required`);
      }
    }
  }
  assert.deepEqual(faults, [], `spec/openapi.yaml and index.d.ts disagree:\n${faults.join('\n')}`);
});

test('every interface has a schema or a reason, and every object schema an interface or a reason', () => {
  const declared = Object.keys(interfaces()).filter((name) => !name.includes('.'));
  const unmapped = declared.filter((name) => !(name in SCHEMA_OF) && !(name in NOT_A_SCHEMA));
  assert.deepEqual(unmapped, [], 'interfaces with neither a schema in SCHEMA_OF nor a reason in NOT_A_SCHEMA');
  const mapped = new Set(Object.values(SCHEMA_OF));
  const orphans = Object.entries(schemas)
    .filter(([, s]) => s.type === 'object' || s.allOf)
    .map(([name]) => name)
    .filter((name) => !mapped.has(name) && !(name in NO_INTERFACE));
  assert.deepEqual(orphans, [], 'object schemas with neither an interface nor a reason in NO_INTERFACE');
  const stale = [...Object.keys(NOT_A_SCHEMA).filter((n) => !declared.includes(n)),
    ...Object.keys(NO_INTERFACE).filter((n) => !(n in schemas))];
  assert.deepEqual(stale, [], 'NOT_A_SCHEMA or NO_INTERFACE name something that does not exist');
});
