/**
 * QR rendering for pairing URIs: `@pairline/sdk/qr`. A separate entry so apps that render their own
 * codes do not bundle `qrcode`.
 */
import QRCode from 'qrcode'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

export type QrErrorCorrectionLevel = 'L' | 'M' | 'Q' | 'H'

export type QrOptions = {
  /** Quiet zone around the code, in modules. Default 2. */
  margin?: number | undefined
  /** Default 'M' (15% recovery). */
  errorCorrectionLevel?: QrErrorCorrectionLevel | undefined
  /** Module color, as hex: #rgb, #rgba, #rrggbb or #rrggbbaa. Default '#000000'. */
  dark?: string | undefined
  /** Background color, same format. Default '#ffffff'; a fully transparent one draws no background. */
  light?: string | undefined
}

export type TerminalQrOptions = {
  /** Half-height blocks (two modules per character row): a code about half as tall. */
  small?: boolean | undefined
  /** Default 'M'. */
  errorCorrectionLevel?: QrErrorCorrectionLevel | undefined
}

export const DEFAULT_QR_MARGIN = 2
export const DEFAULT_QR_ERROR_CORRECTION: QrErrorCorrectionLevel = 'M'

const LEVELS: readonly string[] = ['L', 'M', 'Q', 'H']
const HEX_COLOR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i

/** An `<svg>` string with a viewBox of `4 * version + 17 + 2 * margin` units and no fixed size. */
export async function toSvg(text: string, options: QrOptions = {}): Promise<string> {
  checkText(text)
  const margin = options.margin ?? DEFAULT_QR_MARGIN
  if (!Number.isSafeInteger(margin) || margin < 0 || margin > 64) {
    throw invalidArgument('The QR margin must be an integer from 0 to 64.', `got ${String(margin)}`)
  }
  const svg = await render(text, {
    type: 'svg',
    margin,
    errorCorrectionLevel: level(options.errorCorrectionLevel),
    color: { dark: color(options.dark, '#000000', 'dark'), light: color(options.light, '#ffffff', 'light') },
  })
  return svg.trim()
}

/** `data:image/svg+xml;base64,...` of {@link toSvg}: usable as an `<img src>` in browsers, no canvas needed. */
export async function toDataUrl(text: string, options: QrOptions = {}): Promise<string> {
  return `data:image/svg+xml;base64,${toBase64(new TextEncoder().encode(await toSvg(text, options)))}`
}

/**
 * The code drawn with ANSI colors and block characters for a terminal (Node only: the browser build of
 * `qrcode` has no terminal renderer). Print it as is; it ends with a newline.
 */
export async function toTerminal(text: string, options: TerminalQrOptions = {}): Promise<string> {
  checkText(text)
  const out = await render(text, {
    type: 'terminal',
    small: options.small === true,
    errorCorrectionLevel: level(options.errorCorrectionLevel),
  })
  if (out.trimStart().startsWith('<svg')) {
    throw invalidArgument(
      'toTerminal is only available in Node.',
      'the browser build of qrcode renders SVG only',
    )
  }
  return out
}

async function render(text: string, options: QRCode.QRCodeToStringOptions): Promise<string> {
  try {
    return await QRCode.toString(text, options)
  } catch (err) {
    // qrcode's messages name the problem ("too big"), never the text (which holds the pairing secret).
    throw invalidArgument(
      'This text cannot be encoded as a QR code.',
      `${text.length} characters: ${err instanceof Error ? err.message : String(err)}`,
      err,
    )
  }
}

function checkText(text: unknown): asserts text is string {
  if (typeof text !== 'string' || text.length === 0) {
    throw invalidArgument('The QR text must be a non-empty string.', `got ${typeof text}`)
  }
}

function level(value: unknown): QrErrorCorrectionLevel {
  if (value === undefined) return DEFAULT_QR_ERROR_CORRECTION
  if (typeof value !== 'string' || !LEVELS.includes(value)) {
    throw invalidArgument('The QR error correction level must be L, M, Q or H.', `got ${String(value)}`)
  }
  return value as QrErrorCorrectionLevel
}

function color(value: unknown, fallback: string, name: string): string {
  if (value === undefined) return fallback
  // qrcode pastes the color into the SVG markup, so only plain hex gets through.
  if (typeof value !== 'string' || !HEX_COLOR.test(value)) {
    throw invalidArgument(`The QR ${name} color must be a hex color such as #000000.`, `got ${String(value)}`)
  }
  return value
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

function invalidArgument(shortMessage: string, details?: string, cause?: unknown): PairlineError {
  return new PairlineError(ErrorCode.InvalidArgument, shortMessage, { details, cause })
}
