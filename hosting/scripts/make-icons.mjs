/**
 * Draws Aura's app icons into public/ (run once: `node scripts/make-icons.mjs`; the PNGs
 * are committed). The mark is a ring around a dot in the app's accent colour (`--accent`
 * in src/styles.css). PNGs are written with Node's zlib alone, anti-aliased by sampling
 * each pixel 4 × 4 times, so no image library is needed.
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const ACCENT = [0x5b, 0x4b, 0xdb];
const WHITE = [0xff, 0xff, 0xff];
const PUBLIC = new URL("../public/", import.meta.url);
// Fractions of the icon's side. The ring stays inside the maskable safe zone (radius 0.4).
const RING_RADIUS = 0.27;
const RING_WIDTH = 0.075;
const DOT_RADIUS = 0.1;
const CORNER = 0.22; // rounded corners of the plain icon; maskable icons are full bleed
const SAMPLES = 4;

function insideRoundedSquare(x, y, corner) {
  if (corner === 0) return true;
  const cx = Math.min(Math.max(x, corner), 1 - corner);
  const cy = Math.min(Math.max(y, corner), 1 - corner);
  return (x - cx) ** 2 + (y - cy) ** 2 <= corner ** 2;
}

/** [coverage of the background, coverage of the mark] at (x, y) in 0..1. */
function sample(x, y, corner) {
  if (!insideRoundedSquare(x, y, corner)) return [0, 0];
  const r = Math.hypot(x - 0.5, y - 0.5);
  const mark = Math.abs(r - RING_RADIUS) <= RING_WIDTH / 2 || r <= DOT_RADIUS;
  return [1, mark ? 1 : 0];
}

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(size, corner) {
  const rows = Buffer.alloc(size * (1 + size * 4));
  for (let py = 0; py < size; py += 1) {
    const row = py * (1 + size * 4);
    for (let px = 0; px < size; px += 1) {
      let fill = 0;
      let mark = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const [f, m] = sample((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size, corner);
          fill += f;
          mark += m;
        }
      }
      fill /= SAMPLES * SAMPLES;
      mark /= SAMPLES * SAMPLES;
      const at = row + 1 + px * 4;
      for (let c = 0; c < 3; c += 1) {
        // Colour over the covered part: the mark's share of it is white.
        const share = fill === 0 ? 0 : mark / fill;
        rows[at + c] = Math.round(ACCENT[c] * (1 - share) + WHITE[c] * share);
      }
      rows[at + 3] = Math.round(fill * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const hex = `#${ACCENT.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
  <rect width="100" height="100" rx="${CORNER * 100}" fill="${hex}"/>
  <circle cx="50" cy="50" r="${RING_RADIUS * 100}" fill="none" stroke="#fff" stroke-width="${RING_WIDTH * 100}"/>
  <circle cx="50" cy="50" r="${DOT_RADIUS * 100}" fill="#fff"/>
</svg>
`;

writeFileSync(new URL("favicon.svg", PUBLIC), svg);
writeFileSync(new URL("pwa-192x192.png", PUBLIC), png(192, CORNER));
writeFileSync(new URL("pwa-512x512.png", PUBLIC), png(512, CORNER));
writeFileSync(new URL("maskable-512x512.png", PUBLIC), png(512, 0));
// iOS rounds the corners itself and shows transparency as black: full bleed.
writeFileSync(new URL("apple-touch-icon-180x180.png", PUBLIC), png(180, 0));
