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

export const PATTERNS = {
  NN: { name: 'NN', initiatorPre: [], responderPre: [], messages: [['e'], ['e', 'ee']] },
  NK: {
    name: 'NK',
    initiatorPre: [],
    responderPre: ['s'],
    messages: [
      ['e', 'es'],
      ['e', 'ee'],
    ],
  },
  NNpsk0: {
    name: 'NNpsk0',
    initiatorPre: [],
    responderPre: [],
    messages: [
      ['psk', 'e'],
      ['e', 'ee'],
    ],
  },
  NKpsk0: {
    name: 'NKpsk0',
    initiatorPre: [],
    responderPre: ['s'],
    messages: [
      ['psk', 'e', 'es'],
      ['e', 'ee'],
    ],
  },
  NKpsk2: {
    name: 'NKpsk2',
    initiatorPre: [],
    responderPre: ['s'],
    messages: [
      ['e', 'es'],
      ['e', 'ee', 'psk'],
    ],
  },
  XXpsk3: {
    name: 'XXpsk3',
    initiatorPre: [],
    responderPre: [],
    messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se', 'psk']],
  },
} as const satisfies Record<string, HandshakePattern>

export type PatternName = keyof typeof PATTERNS

export function isPskPattern(p: HandshakePattern): boolean {
  return p.messages.some((m) => m.includes('psk'))
}
