// Links examples/node/node_modules/aether to this package (what `npm install` does in a user's
// project), so tsc and node resolve "aether" there.
import { linkExamples } from './helpers.mjs';

linkExamples();
