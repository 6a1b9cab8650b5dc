// CRC32C (Castagnoli, reflected polynomial 0x82F63B78) in plain JavaScript, slice-by-8: what
// a competent user of `fetch` would paste in (or get from a small npm package) to compute the
// X-Part-Crc32c header of the chunked upload protocol. crc32cBase64(Buffer.from("hello world"))
// is "yZRlqg==" (PROTOCOL.md: base64 of the big-endian CRC).

const TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

/** The CRC32C of `bytes` (a Uint8Array), continuing from `crc` (0 to start). */
export function crc32c(bytes, crc = 0) {
  const t = TABLES;
  let c = ~crc;
  let i = 0;
  const n = bytes.length;
  const end8 = n - (n % 8);
  for (; i < end8; i += 8) {
    const a = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c =
      t[1792 + (a & 0xff)] ^
      t[1536 + ((a >>> 8) & 0xff)] ^
      t[1280 + ((a >>> 16) & 0xff)] ^
      t[1024 + (a >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** The X-Part-Crc32c header value of `bytes`. */
export function crc32cBase64(bytes) {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(crc32c(bytes));
  return out.toString('base64');
}
