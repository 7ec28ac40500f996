import { testPairing } from '@pairline/testkit/protocol'
import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { encodePairingUri } from '../protocol/uri.js'
import { toDataUrl, toSvg, toTerminal } from './index.js'

const URI = encodePairingUri(
  testPairing({ chains: ['eip155:1', 'eip155:8453'], methods: ['eth_sendTransaction'] }).uri,
)

function viewBoxSize(svg: string): number {
  const match = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)
  expect(match?.[1]).toBe(match?.[2])
  return Number(match?.[1])
}

describe('@pairline/sdk/qr', () => {
  it('toSvg: a well-formed <svg> whose size matches the QR version (ECC M, margin 2)', async () => {
    const svg = await toSvg(URI)
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.endsWith('</svg>')).toBe(true)
    expect(svg).toMatch(/<path [^>]*stroke="#000000"[^>]* d="M[^"]+"\/>/)
    expect(svg).toContain('fill="#ffffff"')
    const version = QRCode.create(URI, { errorCorrectionLevel: 'M' }).version
    expect(version).toBeGreaterThan(1)
    expect(viewBoxSize(svg)).toBe(4 * version + 17 + 2 * 2)
  })

  it('toSvg: margin, error correction and colors are honored', async () => {
    const svg = await toSvg(URI, {
      margin: 0,
      errorCorrectionLevel: 'H',
      dark: '#112233',
      light: '#ffffff00',
    })
    const version = QRCode.create(URI, { errorCorrectionLevel: 'H' }).version
    expect(version).toBeGreaterThan(QRCode.create(URI, { errorCorrectionLevel: 'L' }).version)
    expect(viewBoxSize(svg)).toBe(4 * version + 17)
    expect(svg).toContain('stroke="#112233"')
    expect(svg).not.toContain('fill=') // a transparent background draws nothing
    expect(viewBoxSize(await toSvg(URI, { margin: 4, errorCorrectionLevel: 'L' }))).toBe(
      4 * QRCode.create(URI, { errorCorrectionLevel: 'L' }).version + 17 + 8,
    )
  })

  it('toDataUrl: base64 of the same SVG', async () => {
    const url = await toDataUrl(URI, { margin: 3 })
    const prefix = 'data:image/svg+xml;base64,'
    expect(url.startsWith(prefix)).toBe(true)
    expect(Buffer.from(url.slice(prefix.length), 'base64').toString('utf8')).toBe(
      await toSvg(URI, { margin: 3 }),
    )
  })

  it('toTerminal: many lines of blocks; small is about half as tall', async () => {
    const big = await toTerminal(URI)
    const small = await toTerminal(URI, { small: true })
    const size = 4 * QRCode.create(URI, { errorCorrectionLevel: 'M' }).version + 17
    const bigLines = big.trimEnd().split('\n')
    const smallLines = small.trimEnd().split('\n')
    expect(bigLines.length).toBe(size + 2) // one-module quiet zone above and below
    expect(smallLines.length).toBeGreaterThan(size / 2)
    expect(smallLines.length).toBeLessThan(size / 2 + 3)
    expect(small).toMatch(/[▀▄█]/)
    expect(big).toContain('\x1b[40m') // black modules
  })

  it('rejects bad input with INVALID_ARGUMENT, never echoing the text', async () => {
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' })
    await expect(toSvg('')).rejects.toThrow(invalid)
    await expect(toSvg(42 as unknown as string)).rejects.toThrow(invalid)
    await expect(toSvg(URI, { margin: -1 })).rejects.toThrow(invalid)
    await expect(toSvg(URI, { margin: 1.5 })).rejects.toThrow(invalid)
    await expect(toSvg(URI, { errorCorrectionLevel: 'X' as 'L' })).rejects.toThrow(invalid)
    await expect(toSvg(URI, { dark: 'black' })).rejects.toThrow(invalid)
    await expect(toSvg(URI, { light: '#fff"/><script>' })).rejects.toThrow(invalid)
    await expect(toTerminal('')).rejects.toThrow(invalid)
    const secret = `pairline:${'k'.repeat(5000)}`
    const err = await toDataUrl(secret).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'INVALID_ARGUMENT',
      shortMessage: 'This text cannot be encoded as a QR code.',
    })
    expect((err as Error).message).not.toContain('kkkk')
  })
})
