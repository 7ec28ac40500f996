/**
 * Every domain-separation label of protocol version 1, in one place (docs/PROTOCOL.md §8).
 * Labels are ASCII; a new protocol version gets new labels.
 */
export const LABELS = {
  /** salt of the pairing-topic HKDF over the psk */
  pairingTopicSalt: 'pairline/v1/pairing-topic',
  pairingTopicW2D: 'w2d',
  pairingTopicD2W: 'd2w',
  /** HKDF info labels of the session exporter over ck (salt = h) */
  sessionTopicW2D: 'pairline/v1/session-topic/w2d',
  sessionTopicD2W: 'pairline/v1/session-topic/d2w',
  resumePsk: 'pairline/v1/resume-psk',
  sessionId: 'pairline/v1/session-id',
  /** salt of the SAS HKDF over the handshake hash */
  sasSalt: 'pairline/v1/sas',
  /** prologue prefix of the resume handshake */
  resumePrologue: 'pairline/v1/resume',
  /** prefixes of what the device keys sign in a resume (§8.3) */
  resumeInitSignature: 'pairline/v1/resume/init-signature',
  resumeReplySignature: 'pairline/v1/resume/reply-signature',
} as const
