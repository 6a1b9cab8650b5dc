// The tutorial "How to post to TikTok via API in TypeScript", its snippets verbatim, in order.
//
// Only the setup lines marked `// setup:` are not the tutorial's. They expect the environment
// the tests give it (bindings-node/test/tutorial.test.mjs): AETHER_API_KEY and AETHER_BASE_URL
// pointing at an emulator, the working directory holding ./video.mp4, and a TikTok profile
// whose id is the tutorial's placeholder "tiktok_profile_id". Run it against the real API by
// setting the first two and replacing the placeholder.
//
// One change inside a snippet: the error-handling snippet's `posts.create({ ... })` elides its
// argument, which is not valid TypeScript; it is written `{ ...postParams }` here, postParams
// being the publish snippet's argument (declared by a setup line).

// --- Connect a TikTok account ------------------------------------------------------------
// ANCHOR: connect
import Aether from "aether";

const aether = new Aether({ apiKey: process.env.AETHER_API_KEY });

const link = await aether.connectLinks.create({
  platform: "tiktok",
  redirectUrl: "https://yourapp.com/oauth/tiktok/callback",
});

console.log(link.url); // Send this to your user
// ANCHOR_END: connect

// --- Upload a video ----------------------------------------------------------------------
// ANCHOR: upload
import fs from "fs";

// Upload the video file — returns a mediaKey you reference at publish time
const { mediaKey } = await aether.media.upload({
  file: fs.createReadStream("./video.mp4"),
  mimeType: "video/mp4",
});

console.log(mediaKey); // e.g. "org_abc123/f47ac10b.mp4"
// ANCHOR_END: upload

// --- Publish the post --------------------------------------------------------------------
// ANCHOR: publish
const post = await aether.posts.create({
  profileId: "tiktok_profile_id",
  content: {
    text: "My first TikTok via API! #coding #developer",
  },
  mediaKeys: [mediaKey],
  platforms: { tiktok: {} },
});

// Poll until TikTok has finished processing the video
let status = post.status;
while (status === "publishing") {
  await new Promise((r) => setTimeout(r, 3000));
  const updated = await aether.posts.get(post.id);
  status = updated.status;
}

console.log(status); // "published"
// ANCHOR_END: publish

// --- Error handling ----------------------------------------------------------------------
const postParams: Aether.CreatePostParams = { // setup: the elided argument below
  profileId: "tiktok_profile_id", // setup
  content: { text: "My first TikTok via API! #coding #developer" }, // setup
  mediaKeys: [mediaKey], // setup
  platforms: { tiktok: {} }, // setup
}; // setup

// ANCHOR: errors
// TikTok-specific errors to handle
// POST_LIMIT_REACHED — daily publish quota exceeded (10 posts/day on standard tier)
// VIDEO_TOO_SHORT — minimum 15 seconds for most accounts
// VIDEO_TOO_LONG — maximum varies: 60s standard, 10 min creator accounts
// CAPTION_TOO_LONG — max 2,200 characters including hashtags

try {
  const post = await aether.posts.create({ ...postParams });
} catch (err) {
  if (err.code === "POST_LIMIT_REACHED") {
    // Queue for next day
  } else if (err.code === "VIDEO_TOO_SHORT") {
    // Reject on client side before upload
  }
}
// ANCHOR_END: errors
