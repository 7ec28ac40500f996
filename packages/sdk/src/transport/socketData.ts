/**
 * Turns a WebSocket message's `data` into bytes. With `binaryType = 'arraybuffer'` binary messages
 * are ArrayBuffers and text ones strings; views (a Node Buffer from an injected socket) are accepted
 * too. Returns 'text' for a text message and null for anything else (a Blob: binaryType ignored).
 */
export function socketBytes(data: unknown): Uint8Array | 'text' | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (typeof data === 'string') return 'text'
  return null
}
