import { inflateSync } from 'node:zlib'

export type Rgba = { width: number; height: number; data: Uint8ClampedArray }

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
/** Channels per PNG color type, for the types a browser screenshot uses (8 bits, no palette). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 }

/**
 * A small PNG decoder for screenshots: 8-bit grayscale, gray+alpha, RGB or RGBA, not interlaced.
 * Returns RGBA pixels (as jsQR and ImageData take them).
 */
export function decodePng(png: Uint8Array): Rgba {
  if (!SIGNATURE.every((b, i) => png[i] === b)) throw new Error('Not a PNG.')
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  let width = 0
  let height = 0
  let channels = 0
  const idat: Uint8Array[] = []
  for (let at = 8; at + 8 <= png.length; ) {
    const length = view.getUint32(at)
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8))
    const body = png.subarray(at + 8, at + 8 + length)
    if (type === 'IHDR') {
      width = view.getUint32(at + 8)
      height = view.getUint32(at + 12)
      const [depth, colorType, , , interlace] = body.subarray(8, 13)
      channels = CHANNELS[colorType!] ?? 0
      if (depth !== 8 || !channels || interlace !== 0) {
        throw new Error(
          `Unsupported PNG: bit depth ${depth}, color type ${colorType}, interlace ${interlace}.`,
        )
      }
    } else if (type === 'IDAT') idat.push(body)
    else if (type === 'IEND') break
    at += 12 + length
  }
  if (!width || !height) throw new Error('The PNG has no IHDR.')

  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  if (raw.length < height * (stride + 1)) throw new Error('The PNG data is truncated.')
  const pixels = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const out = y * stride
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[out + x - channels]! : 0
      const b = y > 0 ? pixels[out - stride + x]! : 0
      const c = x >= channels && y > 0 ? pixels[out - stride + x - channels]! : 0
      let predictor: number
      switch (filter) {
        case 0:
          predictor = 0
          break
        case 1:
          predictor = a
          break
        case 2:
          predictor = b
          break
        case 3:
          predictor = (a + b) >> 1
          break
        case 4: {
          const p = a + b - c
          const pa = Math.abs(p - a)
          const pb = Math.abs(p - b)
          const pc = Math.abs(p - c)
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
          break
        }
        default:
          throw new Error(`Bad PNG filter type ${filter} on row ${y}.`)
      }
      pixels[out + x] = (line[x]! + predictor) & 0xff
    }
  }

  const data = new Uint8ClampedArray(width * height * 4)
  for (let i = 0, j = 0; i < width * height; i++, j += channels) {
    const gray = channels < 3
    data[i * 4] = pixels[j]!
    data[i * 4 + 1] = gray ? pixels[j]! : pixels[j + 1]!
    data[i * 4 + 2] = gray ? pixels[j]! : pixels[j + 2]!
    data[i * 4 + 3] = channels === 4 ? pixels[j + 3]! : channels === 2 ? pixels[j + 1]! : 255
  }
  return { width, height, data }
}
