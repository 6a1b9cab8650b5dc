"""The API's resources, one module each, in a blocking and an asyncio flavour."""

from .connect_links import AsyncConnectLinks, ConnectLinks
from .media import AsyncMediaResource, MediaResource
from .posts import AsyncPosts, Posts
from .profiles import AsyncProfiles, Profiles
from .webhooks import AsyncWebhooks, Webhooks

__all__ = [
    "AsyncConnectLinks",
    "AsyncMediaResource",
    "AsyncPosts",
    "AsyncProfiles",
    "AsyncWebhooks",
    "ConnectLinks",
    "MediaResource",
    "Posts",
    "Profiles",
    "Webhooks",
]
