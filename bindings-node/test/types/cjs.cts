// A CommonJS user: require() gives the class, with everything else on it.
import Aether = require('aether');
import testing = require('aether/testing');

const { AetherError, NotFoundError } = Aether;

export async function main(): Promise<void> {
  const mock = await testing.MockServer.start();
  const aether = new Aether({ apiKey: mock.apiKey, baseUrl: mock.url });
  try {
    const post: Aether.Post = await aether.posts.get('post_x');
    const status: Aether.PostStatus = post.status;
    void status;
  } catch (err) {
    if (err instanceof NotFoundError && err instanceof AetherError) {
      const code: Aether.ErrorCode | (string & {}) = err.code;
      void code;
    }
  }
  const Same: typeof Aether = Aether.default;
  void new Same({ apiKey: 'k' });
  await mock.stop();
}
