// The soak of the Node binding (bench/soak): CYCLES create/get/wait cycles, then UPLOADS
// chunked uploads of FILE, on one client (the cycles LANES at once); prints a JSON line every few cycles and uploads with
// the resident set and the V8 heap in use after a collection (run with --expose-gc), which
// bench/soak/soak.py turns into growth after warm-up.
// Usage: node --expose-gc soak_node.mjs URL API_KEY PROFILE_IDS CYCLES UPLOADS FILE
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The package from bindings-node (or AETHER_NODE_PACKAGE): a script outside the package cannot
// import it by name.
const pkg = process.env.AETHER_NODE_PACKAGE ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bindings-node');
const { default: Aether } = await import(pathToFileURL(path.join(pkg, 'index.mjs')).href);

const [url, apiKey, profileArg, cyclesArg, uploadsArg, file] = process.argv.slice(2);
const profiles = profileArg.split(',');
const cycles = Number(cyclesArg);
const uploads = Number(uploadsArg);
const client = new Aether({ apiKey, baseUrl: url });

function sample(phase, n) {
  globalThis.gc?.();
  const memory = process.memoryUsage();
  console.log(JSON.stringify({ phase, n, rssKiB: Math.round(memory.rss / 1024), heapUsed: memory.heapUsed, external: memory.external }));
}

const every = Math.max(1, Math.floor(cycles / 40));
// LANES cycles at once: each wait spends most of its time between polls.
const lanes = Number(process.env.LANES ?? 16);
let next = 1;
let done = 0;
async function lane() {
  for (let i = next++; i <= cycles; i = next++) {
    const post = await client.posts.create({ profileId: profiles[i % profiles.length], content: { text: `soak ${i}` } });
    await client.posts.get(post.id);
    await client.posts.wait(post.id);
    done += 1;
    if (done % every === 0 || done === cycles) sample('cycles', done);
  }
}
sample('cycles', 0);
await Promise.all(Array.from({ length: lanes }, lane));
sample('uploads', 0);
for (let i = 1; i <= uploads; i += 1) {
  await client.media.upload({ file, partSize: 5 * 1024 * 1024, singleShotThreshold: 0 });
  if (i % 5 === 0 || i === uploads) sample('uploads', i);
}
