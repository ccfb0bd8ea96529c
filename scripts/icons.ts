import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePng, type Rgba } from './png';

/**
 * Draws the app icons into appPackage/: color.png (192×192, white glyph on the accent colour) and
 * outline.png (32×32, white glyph on a transparent background), as Teams asks. The glyph is two
 * linked rings: Business Central and Sales, joined. Run with `npm run icons`.
 */

export const ACCENT = '#0E7A8A';
const SUBSAMPLES = 4;

/** Is the point (in 0..1 units) on the glyph? Two rings, overlapping like chain links. */
function onGlyph(x: number, y: number, stroke: number): boolean {
  const ring = (cx: number, cy: number) => {
    const d = Math.hypot(x - cx, y - cy);
    return d <= 0.2 && d >= 0.2 - stroke;
  };
  return ring(0.38, 0.5) || ring(0.62, 0.5);
}

function hex(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** The glyph rendered with SUBSAMPLES² samples per pixel; `background` undefined = transparent. */
export function drawIcon(size: number, stroke: number, background?: string): Rgba {
  const pixels = Buffer.alloc(size * size * 4);
  const [br, bg, bb] = background ? hex(background) : [255, 255, 255];
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          if (onGlyph((px + (sx + 0.5) / SUBSAMPLES) / size, (py + (sy + 0.5) / SUBSAMPLES) / size, stroke)) hits++;
        }
      }
      const coverage = hits / (SUBSAMPLES * SUBSAMPLES);
      const i = (py * size + px) * 4;
      if (background) {
        pixels[i] = Math.round(br + (255 - br) * coverage);
        pixels[i + 1] = Math.round(bg + (255 - bg) * coverage);
        pixels[i + 2] = Math.round(bb + (255 - bb) * coverage);
        pixels[i + 3] = 255;
      } else {
        pixels.fill(255, i, i + 3);
        pixels[i + 3] = Math.round(255 * coverage);
      }
    }
  }
  return { width: size, height: size, pixels };
}

export function writeIcons(directory: string): { color: string; outline: string } {
  const color = path.join(directory, 'color.png');
  const outline = path.join(directory, 'outline.png');
  writeFileSync(color, encodePng(drawIcon(192, 0.045, ACCENT)));
  writeFileSync(outline, encodePng(drawIcon(32, 0.07)));
  return { color, outline };
}

if (require.main === module) {
  const written = writeIcons(path.resolve(__dirname, '../appPackage'));
  process.stdout.write(`Wrote ${written.color} and ${written.outline}\n`);
}
