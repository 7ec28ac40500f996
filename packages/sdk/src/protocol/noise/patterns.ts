/** Noise §7 handshake patterns used by Pairline and by the vectors we test against. */
export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk'

export type HandshakePattern = {
  name: string
  /** Pre-message keys: which statics are known in advance (`<- s` = responder's). */
  initiatorPre: readonly 's'[]
  responderPre: readonly 's'[]
  /** Message patterns, alternating initiator, responder, initiator... */
  messages: readonly (readonly Token[])[]
}

// Each pattern is its own constant, so a bundle holds only the ones its code names (the SDK runs
// NKpsk0 and NNpsk0; the rest are for the vectors).
const NN = { name: 'NN', initiatorPre: [], responderPre: [], messages: [['e'], ['e', 'ee']] } as const
const NK = {
  name: 'NK',
  initiatorPre: [],
  responderPre: ['s'],
  messages: [
    ['e', 'es'],
    ['e', 'ee'],
  ],
} as const
/** The resume handshake's pattern (§8). */
export const NNpsk0 = {
  name: 'NNpsk0',
  initiatorPre: [],
  responderPre: [],
  messages: [
    ['psk', 'e'],
    ['e', 'ee'],
  ],
} as const satisfies HandshakePattern
/** The pairing handshake's pattern (§4). */
export const NKpsk0 = {
  name: 'NKpsk0',
  initiatorPre: [],
  responderPre: ['s'],
  messages: [
    ['psk', 'e', 'es'],
    ['e', 'ee'],
  ],
} as const satisfies HandshakePattern
const NKpsk2 = {
  name: 'NKpsk2',
  initiatorPre: [],
  responderPre: ['s'],
  messages: [
    ['e', 'es'],
    ['e', 'ee', 'psk'],
  ],
} as const
const XXpsk3 = {
  name: 'XXpsk3',
  initiatorPre: [],
  responderPre: [],
  messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se', 'psk']],
} as const

export const PATTERNS = { NN, NK, NNpsk0, NKpsk0, NKpsk2, XXpsk3 } as const satisfies Record<
  string,
  HandshakePattern
>

export type PatternName = keyof typeof PATTERNS

export function isPskPattern(p: HandshakePattern): boolean {
  return p.messages.some((m) => m.includes('psk'))
}
