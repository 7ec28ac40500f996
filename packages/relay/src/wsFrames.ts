/**
 * Server-to-client WebSocket frames written straight to the socket: final, binary, unmasked
 * (RFC 6455 §5.2), the same bytes ws's Sender writes. Why: ws.send() makes two option objects, a
 * header Buffer and a list per frame, then corks and writes twice; the relay sends one MESSAGE per
 * delivered message and one OK per tick, and this is a lookup and two writes (issue 16). Only for a
 * socket without permessage-deflate (the relay turns it off), so ws's Sender never queues and
 * frames written either way stay in order.
 */

/** Headers by payload length, shared: a socket write keeps a reference, and these never change. */
const headers = new Map<number, Buffer>()
/** Distinct lengths kept (most traffic has a few sizes); past it, a header is made per frame. */
const MAX_CACHED = 4096

/** The header of a final, unmasked binary frame of `length` payload bytes. */
export function binaryHeader(length: number): Buffer {
  let h = headers.get(length)
  if (h) return h
  if (length < 126) h = Buffer.from([0x82, length])
  else if (length < 65536) h = Buffer.from([0x82, 126, length >>> 8, length & 0xff])
  else {
    h = Buffer.alloc(10)
    h[0] = 0x82
    h[1] = 127
    h.writeUIntBE(length, 4, 6) // a payload under 2^48 bytes: the first two length bytes are 0
  }
  if (headers.size < MAX_CACHED) headers.set(length, h)
  return h
}
