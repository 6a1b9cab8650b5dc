'use strict';
// `file` → a native Source. A path, a URL, a Buffer or typed array, or an fs.ReadStream of a
// whole file go to the core as they are (the core reads a path natively, in parallel parts);
// any other Readable or async iterable is read here and fed to the core chunk by chunk, each
// `write` resolving only once the core has room for it (backpressure).

const fs = require('node:fs');
const { fileURLToPath } = require('node:url');
const { native, describe } = require('./call');
const { invalidArgument } = require('./errors');

function isAsyncIterable(value) {
  return value !== null && typeof value === 'object' && typeof value[Symbol.asyncIterator] === 'function';
}

function isSyncIterable(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value[Symbol.iterator] === 'function' &&
    !(value instanceof Uint8Array)
  );
}

/** The path of an fs.ReadStream that reads a whole file from its start, else undefined. */
function wholeFilePath(stream) {
  if (!(stream instanceof fs.ReadStream)) return undefined;
  const { path, start, end, bytesRead } = stream;
  if (path === undefined || path === null) return undefined; // opened from an fd
  if (start !== undefined && start !== 0) return undefined;
  if (end !== undefined && end !== Infinity) return undefined;
  if (bytesRead > 0 || stream.readableDidRead || stream.destroyed) return undefined;
  if (Buffer.isBuffer(path)) return path.toString();
  return path instanceof URL ? fileURLToPath(path) : String(path);
}

function bufferOf(chunk) {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (ArrayBuffer.isView(chunk)) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return Buffer.from(chunk);
  throw invalidArgument(`a stream chunk must be a Buffer, Uint8Array or string, got ${describe(chunk)}`);
}

/**
 * The native Source for `file`, and for streams the function that feeds it (`pump`) and the
 * one that stops the stream early (`stop`).
 */
function sourceFor(file, size) {
  if (typeof file === 'string') {
    if (file.length === 0) throw invalidArgument('file is an empty path');
    return { source: native.Source.path(file) };
  }
  if (file instanceof URL) {
    if (file.protocol !== 'file:') throw invalidArgument(`file must be a file: URL, got ${file.protocol}`);
    return { source: native.Source.path(fileURLToPath(file)) };
  }
  if (Buffer.isBuffer(file)) return { source: native.Source.bytes(file) };
  if (ArrayBuffer.isView(file) || file instanceof ArrayBuffer) {
    return { source: native.Source.bytes(bufferOf(file)) };
  }
  if (typeof Blob === 'function' && file instanceof Blob) {
    // A Blob or File: its web stream, whose size is known.
    return sourceFor(file.stream(), size ?? file.size);
  }
  const path = wholeFilePath(file);
  if (path !== undefined) {
    // Read natively from the path; the stream itself is never read, so close its descriptor
    // (an error it would emit, e.g. ENOENT, is the upload's IO_ERROR instead).
    file.on('error', () => {});
    file.destroy();
    return { source: native.Source.path(path) };
  }
  if (isAsyncIterable(file) || isSyncIterable(file)) {
    const source = native.Source.stream(size);
    const state = { error: undefined };
    const pump = async () => {
      try {
        for await (const chunk of file) {
          if (!(await source.write(bufferOf(chunk)))) break; // the upload stopped reading
        }
        source.end();
      } catch (error) {
        state.error = error;
        source.fail(error instanceof Error ? error.message : String(error));
      }
    };
    const stop = () => {
      if (typeof file.destroy === 'function' && !file.destroyed) file.destroy();
    };
    return { source, pump, stop, streamError: () => state.error };
  }
  throw invalidArgument(
    `file must be a path, a URL, a Buffer or Uint8Array, a Blob, an fs.ReadStream, a Readable or an async iterable; got ${describe(file)}`,
  );
}

module.exports = { sourceFor };
