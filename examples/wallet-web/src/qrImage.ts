import jsQRModule from 'jsqr'

// jsqr is CommonJS whose export is the function itself, also set as its own `default`: TypeScript
// (NodeNext) types the default import as the module, so call through `.default`, which exists at runtime.
const jsQR = jsQRModule.default

/** Smallest and largest side the image is drawn at before decoding. */
const MIN_SIDE = 400
const MAX_SIDE = 1600

/**
 * Decodes the QR code in an image file (PNG, JPEG, SVG, ...) from its pixels: the image is drawn on
 * a white canvas (transparent pixels would read as black), and jsQR reads the RGBA data.
 */
export async function decodeQrImage(file: Blob): Promise<string> {
  const url = URL.createObjectURL(file)
  try {
    const image = new Image()
    image.src = url
    await image.decode()
    // An SVG with only a viewBox (as `toSvg` makes) may report no natural size.
    let width = image.naturalWidth || MIN_SIDE
    let height = image.naturalHeight || MIN_SIDE
    const longest = Math.max(width, height)
    const scale = longest < MIN_SIDE ? MIN_SIDE / longest : longest > MAX_SIDE ? MAX_SIDE / longest : 1
    width = Math.round(width * scale)
    height = Math.round(height * scale)

    const canvas = document.createElement('canvas')
    canvas.width = width
    canvas.height = height
    const context = canvas.getContext('2d', { willReadFrequently: true })
    if (!context) throw new Error('This browser has no 2D canvas.')
    context.fillStyle = '#ffffff'
    context.fillRect(0, 0, width, height)
    context.imageSmoothingEnabled = scale < 1
    context.drawImage(image, 0, 0, width, height)
    const pixels = context.getImageData(0, 0, width, height)
    const code = jsQR(pixels.data, width, height, { inversionAttempts: 'attemptBoth' })
    if (!code) throw new Error('No QR code found in that image.')
    return code.data
  } finally {
    URL.revokeObjectURL(url)
  }
}
