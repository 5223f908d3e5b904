// Tiny but real images, built as bytes: no tools, no files. Each decodes with the reference
// decoders (checked with djpeg, dwebp and a PNG reader when written). None carries metadata,
// so a server that strips metadata still serves them unchanged.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

// A width×height RGB PNG; `seed` varies the pixels so that different calls give different files.
export function png(width = 2, height = 2, seed = 0) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 97 + seed * 31) & 0xff;
      row[2 + x * 3] = (y * 57 + seed * 17) & 0xff;
      row[3 + x * 3] = (x * y * 13 + seed) & 0xff;
    }
    rows.push(row);
  }
  const idat = deflateSync(Buffer.concat(rows));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function seg(marker, payload) {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(payload.length + 2);
  return Buffer.concat([Buffer.from([0xff, marker]), len, payload]);
}

// A baseline greyscale 8×8 JPEG of one flat grey (DC difference 0, all AC zero). Each block
// is coded as DC category 0 + EOB, both with a one-bit Huffman code. `seed` goes into the
// quantisation table so that different seeds give different (still valid) files.
// `app1`: optional payload of an APP1 (EXIF-like) segment, for metadata tests.
export function jpeg(seed = 0, app1 = null) {
  const dqt = Buffer.alloc(65);
  dqt[0] = 0; // 8-bit precision, table 0
  for (let i = 1; i < 65; i++) dqt[i] = 1 + ((i + seed) % 50);
  const sof = Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0]); // 8-bit, 8×8, 1 component, 1×1, q0
  const counts = Buffer.alloc(16);
  counts[0] = 1; // one code of length 1
  const dhtDc = Buffer.concat([Buffer.from([0x00]), counts, Buffer.from([0x00])]); // DC table 0: symbol 0
  const dhtAc = Buffer.concat([Buffer.from([0x10]), counts, Buffer.from([0x00])]); // AC table 0: EOB
  const sos = Buffer.from([1, 1, 0x00, 0, 63, 0]);
  const parts = [Buffer.from([0xff, 0xd8])];
  if (app1) parts.push(seg(0xe1, Buffer.from(app1)));
  parts.push(seg(0xdb, dqt), seg(0xc0, sof), seg(0xc4, dhtDc), seg(0xc4, dhtAc), seg(0xda, sos));
  parts.push(Buffer.from([0x3f])); // bits 0 (DC cat 0), 0 (EOB), then padding ones
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

// A 2×2 lossless WebP (VP8L), made by cwebp -lossless -metadata none.
export function webp() {
  return Buffer.from('UklGRiwAAABXRUJQVlA4TB8AAAAvAUAAAB8gEEjeHzqN+RcQFPwf3fxHZA/gBgwR/Q8BAA==', 'base64');
}

// A 1×1 GIF: a real image, but not a type the server accepts.
export function gif() {
  return Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
}

export const MIME = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
