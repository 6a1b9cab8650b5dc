#!/usr/bin/env python3
"""Post a video to TikTok through the Aether API — the tutorial "How to post to TikTok via
API", in Python.

    pip install ./bindings-python
    AETHER_API_KEY=sk_… python examples/python/publish.py video.mp4 [--profile-id tiktok_…]

Without --profile-id it creates a TikTok connect link, prints it for your user, and waits until
they have connected their account. AETHER_BASE_URL points it at another server (the emulator:
`cargo run -p aether-mock -- --port 0`).
"""

from __future__ import annotations

import argparse
import sys
import time

from aether import Aether, AetherError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", help="an MP4 or MOV file (TikTok posts need a video)")
    parser.add_argument("--profile-id", help="a connected TikTok profile (else connect one)")
    parser.add_argument("--caption", default="My first TikTok via API! #coding #developer")
    parser.add_argument("--redirect-url", default="https://yourapp.com/oauth/tiktok/callback")
    parser.add_argument("--poll-interval", type=float, default=3.0, help="seconds between polls")
    args = parser.parse_args()

    # ANCHOR: client
    aether = Aether()  # the API key from AETHER_API_KEY
    # ANCHOR_END: client

    # Connect a TikTok account: the user authorizes on Aether's hosted page.
    # ANCHOR: connect
    profile_id = args.profile_id
    if not profile_id:
        link = aether.connect_links.create(platform="tiktok", redirect_url=args.redirect_url)
        print(f"Send this to your user: {link.url}", flush=True)
        while link.status == "pending":
            time.sleep(args.poll_interval)
            link = aether.connect_links.get(link.id)
        if link.status != "completed" or not link.profile_id:
            print(f"The account was not connected: the link is {link.status}", file=sys.stderr)
            return 1
        profile_id = link.profile_id
        print(f"Connected profile {profile_id}", flush=True)
    # ANCHOR_END: connect

    # Upload the video: a media key is what the post references.
    # ANCHOR: upload
    with open(args.video, "rb") as file:
        media = aether.media.upload(file, mime_type="video/mp4")
    print(f"Uploaded {media.media_key}", flush=True)
    # ANCHOR_END: upload

    # Publish the post.
    # ANCHOR: publish
    try:
        post = aether.posts.create(
            profile_id=profile_id,
            content={"text": args.caption},
            media_keys=[media.media_key],
            platforms={"tiktok": {}},
        )
    except AetherError as err:
        if err.code == "POST_LIMIT_REACHED":
            print(f"Daily limit reached: queue it for {err.retry_after:.0f} s from now")
        elif err.code == "VIDEO_TOO_SHORT":
            print("TikTok needs at least 15 seconds of video")
        else:
            print(f"Publishing failed: {err}", file=sys.stderr)
        return 1
    # ANCHOR_END: publish

    # Poll until TikTok has finished processing the video.
    # ANCHOR: wait
    status = post.status
    while status == "publishing":
        time.sleep(args.poll_interval)
        status = aether.posts.get(post.id).status

    print(status)  # "published"
    # ANCHOR_END: wait
    return 0 if status == "published" else 1


if __name__ == "__main__":
    sys.exit(main())
